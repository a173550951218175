import * as fs from "fs";
import * as path from "path";
import { configReference, endMarker, startMarker, withReference } from "../../tools/configDocs/reference";
import { clusterVariants, topFields } from "../../stacks/config";

const readme = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "configuration.md"), "utf8");

describe("the configuration reference in docs/configuration.md", () => {
    it("is what the config model generates (run npm run docs:config after changing stacks/config.ts)", () => {
        expect(withReference(readme)).toBe(readme);
    });

    it("lists every key of the model, with the clouds each cluster key is for", () => {
        const reference = configReference();
        for (const key of Object.keys(topFields)) expect(reference).toContain(`| \`${key}\` |`);
        const clusterKeys = new Set(Object.values(clusterVariants).flatMap((v) => Object.keys(v.shape)));
        for (const key of clusterKeys) expect(reference).toMatch(new RegExp(`^\\| \`${key}\` \\| `, "m"));
        expect(reference).toContain("| `zones` | aws | `2` |");
        expect(reference).toContain("| `kubeconfigs` | secret map | none |");
    });

    it("fails when the document drifts from the model", () => {
        const drifted = readme.replace("| `zones` | aws | `2` |", "| `zones` | aws | `3` |");
        expect(withReference(drifted)).not.toBe(drifted);
        expect(() => withReference(readme.replace(startMarker, ""))).toThrow(endMarker);
    });
});
