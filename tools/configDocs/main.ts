/** `npm run docs:config`: regenerates README.md's configuration reference from the config model. */
import * as path from "path";
import { writeReference } from "./reference";

const readme = path.join(__dirname, "..", "..", "..", "README.md");
const changed = writeReference(readme);
process.stdout.write(changed ? "README.md: configuration reference regenerated\n" : "README.md: configuration reference already up to date\n");
