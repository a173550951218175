/**
 * A cloud is one module: every cloud the components know has one in clouds/, the config model,
 * rules, cluster creation, plan and synthetic cloud read it from the registry, and nothing
 * outside clouds/ switches on a cloud's name (beyond the rules still listed below).
 */
import * as fs from "fs";
import * as path from "path";
import { allClouds, cloudModules, clusterVariants } from "../../clouds";
import type { Cloud } from "../../components/clusters/cluster";
import { clusterDocs, defaults } from "../../stacks/config";
import { derivedNames } from "../../stacks/configRules";
import { durationTable } from "../../tools/plan/durations";
import { cloudMocks } from "../../tools/synthetic/outputs";

const root = path.join(__dirname, "..", "..");

/** Every .ts file below these folders (and index.ts), relative to the repository. */
function sources(...dirs: string[]): string[] {
    const walk = (dir: string): string[] =>
        fs
            .readdirSync(path.join(root, dir), { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
    return ["index.ts", ...dirs.flatMap(walk)];
}

const cloudNames = Object.keys(cloudModules) as Cloud[];
const name = `(${cloudNames.join("|")})`;
/** What a switch on a cloud's name looks like: a comparison, a case, a list of clouds. */
const switches = [
    new RegExp(`cloud\\s*[!=]==\\s*"${name}"`, "g"),
    new RegExp(`"${name}"\\s*[!=]==\\s*\\w*cloud`, "g"),
    new RegExp(`case\\s+"${name}"\\s*:`, "g"),
    new RegExp(`\\[\\s*"${name}",\\s*"${name}"`, "g"),
];

/**
 * Per-cloud rules not moved into their modules yet, by file: how many switches each still
 * has. The count may only go down; a file not listed may have none.
 */
const leftovers: Record<string, number> = {
    // The benchmark generates a chosen mix of EKS, AKS and GKE clusters: a scenario, not a cloud's fact.
    [path.join("tools", "bench", "configs.ts")]: 1,
    // The offline plan substitutes the kubeconfigs of existing clusters.
    [path.join("tools", "plan", "stackConfig.ts")]: 1,
};

describe("the cloud registry", () => {
    it.each(cloudNames)("has a module for %s, named as its key, whose variant takes that cloud", (cloud) => {
        const module = cloudModules[cloud];
        expect(module.name).toBe(cloud);
        expect(module.variant.safeParse({ name: "c1", cloud, region: "r" }).error?.issues ?? []).not.toContainEqual(
            expect.objectContaining({ path: ["cloud"] }),
        );
        expect(clusterVariants[cloud]).toBe(module.variant);
    });

    it("documents every key of every cloud's variant", () => {
        for (const variant of Object.values(clusterVariants)) {
            for (const key of Object.keys(variant.shape)) expect(clusterDocs).toHaveProperty(key);
        }
    });

    it("gives the config model, rules, plan and synthetic cloud what each module registers", () => {
        for (const cloud of allClouds()) {
            if (cloud.defaultNodeSize) expect(defaults.nodeSize[cloud.name]).toBe(cloud.defaultNodeSize);
            expect(derivedNames[cloud.name]).toBe(cloud.derivedNames);
            for (const rule of cloud.durations) expect(durationTable).toContain(rule);
            // The mock engine answers the cloud's provider functions (an unknown one throws).
            for (const token of Object.keys(cloud.synthetic.calls ?? {})) {
                expect(() => cloudMocks.call({ token, inputs: {} } as any)).not.toThrow(/no mock/);
            }
        }
    });

    it("leaves no switch on a cloud's name outside clouds/, beyond the rules still listed", () => {
        const found: Record<string, number> = {};
        for (const file of sources("stacks", "tools", "components", "policy")) {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            const count = switches.reduce((n, re) => n + (text.match(re)?.length ?? 0), 0);
            if (count > 0) found[file] = count;
        }
        for (const [file, count] of Object.entries(found)) {
            expect({ file, count }).toEqual({ file, count: Math.min(count, leftovers[file] ?? 0) });
        }
    });
});
