/** `npm run docs:config`: regenerates docs/configuration.md's reference from the config model. */
import * as path from "path";
import { writeReference } from "./reference";

const reference = path.join(__dirname, "..", "..", "..", "docs", "configuration.md");
const changed = writeReference(reference);
process.stdout.write(
    changed
        ? "docs/configuration.md: configuration reference regenerated\n"
        : "docs/configuration.md: configuration reference already up to date\n",
);
