/**
 * What the orchestrator reads of each stack file: `clusters` (name, role, primary, network),
 * `peers`, `rootCaFrom`, whether it brings `rootCa`, and `meshId`. The files are read the way the
 * offline plan reads them (Pulumi.yaml's defaults under Pulumi.<stack>.yaml) and checked by the
 * program's own config model (stacks/config.ts), defaults included: a stack file the program
 * would refuse stops the orchestrator before any stack runs.
 */
import { ConfigError, configNamespace, parseMeshConfig, rawMeshConfig } from "../../stacks/config";
import { PlanError, readStackConfig } from "../plan/stackConfig";
import { secretPlaceholderPrefix } from "../synthetic/placeholders";
import { MeshError } from "./errors";
import { MeshInput, MeshStackConfig, shortName } from "./order";

/**
 * The orchestrator's view of one stack's config, from config values as the program receives
 * them (full keys, strings, JSON for objects). Collects the model's problems in `problems`,
 * each starting with the file name.
 */
export function meshStackConfig(
    file: string,
    values: Record<string, string>,
    problems: string[],
    context: { stack?: string; secretKeys?: string[] } = {},
): MeshStackConfig {
    const raw = rawMeshConfig(values);
    // A secret of plain text is a placeholder here (never decrypted): the program checks it on up.
    for (const [key, value] of Object.entries(raw)) {
        if (typeof value === "string" && value.startsWith(secretPlaceholderPrefix)) delete raw[key];
    }
    const secretKeys = (context.secretKeys ?? []).map((k) => k.replace(`${configNamespace}:`, ""));
    try {
        const { config } = parseMeshConfig(raw, { gcpProject: values["gcp:project"], stack: context.stack, secretKeys });
        return {
            file,
            meshId: config.meshId,
            clusters: config.clusters.map((c) => ({ name: c.name, role: c.role, primary: c.primary, network: c.network })),
            peers: config.peers.map((p) => ({ name: p.name, stack: p.stack, role: p.role, network: p.network, primary: p.primary })),
            rootCaFrom: config.rootCaFrom,
            bringsRoot: config.rootCa !== undefined,
        };
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems.map((p) => `${file}: ${p}`));
        return { file, meshId: undefined, clusters: [], peers: [], rootCaFrom: undefined, bringsRoot: false };
    }
}

/**
 * Reads the stack file of every stack named in --stacks from the project in `projectDir`.
 * Throws MeshError when a file is missing or unreadable, with every shape problem at once.
 */
export function readMeshStacks(projectDir: string, stackNames: string[]): MeshInput {
    const problems: string[] = [];
    let project = "";
    const stacks = stackNames.map((name) => {
        let read;
        try {
            read = readStackConfig(projectDir, name);
        } catch (err) {
            if (!(err instanceof PlanError)) throw err;
            if (/Pulumi ESC/.test(err.message)) {
                throw new MeshError(
                    `Pulumi.${shortName(name)}.yaml imports Pulumi ESC environments: the mesh orchestrator orders the stacks from their stack files ` +
                        `alone and cannot resolve ESC. Run pulumi up --stack ${name} yourself, in the order of the passes in docs/split-stacks.md.`,
                );
            }
            throw new MeshError(err.message);
        }
        project = read.project;
        const stack = name.includes("/") ? name : undefined;
        return { name, config: meshStackConfig(read.stackFile, read.values, problems, { stack, secretKeys: read.secretKeys }) };
    });
    if (problems.length > 0) {
        throw new MeshError(
            `Stack files the program would refuse (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
    }
    return { project, stacks };
}
