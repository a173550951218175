/**
 * What the orchestrator reads of each stack file: `clusters` (name, role, primary, network),
 * `peers`, `rootCaFrom`, whether it brings `rootCa`, and `meshId`. The files are read the way the offline plan reads them
 * (Pulumi.yaml's defaults under Pulumi.<stack>.yaml); the program itself validates the rest of
 * the config on `pulumi up`.
 */
import { configNamespace } from "../../stacks/config";
import { PlanError, readStackConfig } from "../plan/stackConfig";
import { MeshError } from "./errors";
import { MeshCluster, MeshInput, MeshPeer, MeshStackConfig, Role, shortName } from "./order";

const show = (v: unknown) => JSON.stringify(v);
const roles: Role[] = ["primary", "remote"];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value of the stack config: objects and lists arrive as JSON. */
function jsonValue(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/**
 * The orchestrator's view of one stack's config, from config values as the program receives
 * them (full keys, strings, JSON for objects). Collects shape problems in `problems`, each
 * starting with the file name.
 */
export function meshStackConfig(file: string, values: Record<string, string>, problems: string[]): MeshStackConfig {
    const key = (k: string) => `${configNamespace}:${k}`;
    const at = (k: string) => `${file}: ${k}`;
    const clusters: MeshCluster[] = [];
    const peers: MeshPeer[] = [];

    const rawClusters = jsonValue(values[key("clusters")]);
    if (rawClusters === undefined) {
        problems.push(`${at("clusters")}: is required (the clusters this stack creates)`);
    } else if (!Array.isArray(rawClusters)) {
        problems.push(`${at("clusters")}: ${show(rawClusters)} is not a list of clusters`);
    } else {
        rawClusters.forEach((c, i) => {
            const entry = `clusters[${i}]`;
            if (!isObject(c)) {
                problems.push(`${at(entry)}: ${show(c)} is not a cluster (an object with name, cloud, role, ...)`);
                return;
            }
            const name = stringField(c, "name", at(entry), problems, true);
            const role = roleField(c, at(entry), problems, "primary");
            const primary = stringField(c, "primary", at(entry), problems, false);
            const network = stringField(c, "network", at(entry), problems, false);
            if (name !== undefined && role !== undefined) clusters.push({ name, role, primary, network });
        });
    }

    const rawPeers = jsonValue(values[key("peers")]);
    if (rawPeers !== undefined && !Array.isArray(rawPeers)) {
        problems.push(`${at("peers")}: ${show(rawPeers)} is not a list of peers ({ name, stack, role, network, primary? })`);
    } else if (Array.isArray(rawPeers)) {
        rawPeers.forEach((p: unknown, i: number) => {
            const entry = `peers[${i}]`;
            if (!isObject(p)) {
                problems.push(`${at(entry)}: ${show(p)} is not a peer ({ name, stack, role, network, primary? })`);
                return;
            }
            const name = stringField(p, "name", at(entry), problems, true);
            const stack = stringField(p, "stack", at(entry), problems, true);
            const role = roleField(p, at(entry), problems, undefined);
            const network = stringField(p, "network", at(entry), problems, true);
            const primary = stringField(p, "primary", at(entry), problems, false);
            if (name !== undefined && stack !== undefined && role !== undefined && network !== undefined) {
                peers.push({ name, stack, role, network, primary });
            }
        });
    }

    const rootCaFrom = values[key("rootCaFrom")];
    if (rootCaFrom !== undefined && rootCaFrom.trim() === "") {
        problems.push(`${at("rootCaFrom")}: must not be empty (a fully qualified stack name, or unset for the stack that owns the mesh root)`);
    }
    return {
        file,
        meshId: values[key("meshId")],
        clusters,
        peers,
        rootCaFrom: rootCaFrom?.trim() || undefined,
        bringsRoot: values[key("rootCa")] !== undefined,
    };
}

function stringField(o: Record<string, unknown>, field: string, at: string, problems: string[], required: boolean): string | undefined {
    const v = o[field];
    if (v === undefined) {
        if (required) problems.push(`${at}.${field}: is required`);
        return undefined;
    }
    if (typeof v !== "string" || v.trim() === "") {
        problems.push(`${at}.${field}: ${show(v)} is not a non-empty string`);
        return undefined;
    }
    return v;
}

function roleField(o: Record<string, unknown>, at: string, problems: string[], fallback: Role | undefined): Role | undefined {
    const v = o.role;
    if (v === undefined) {
        if (fallback === undefined) problems.push(`${at}.role: is required (valid: ${roles.join(", ")})`);
        return fallback;
    }
    if (!roles.includes(v as Role)) {
        problems.push(`${at}.role: ${show(v)} is not valid (valid: ${roles.join(", ")})`);
        return undefined;
    }
    return v as Role;
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
                        `alone and cannot resolve ESC. Run pulumi up --stack ${name} yourself, in the order of the passes in the README.`,
                );
            }
            throw new MeshError(err.message);
        }
        project = read.project;
        return { name, config: meshStackConfig(read.stackFile, read.values, problems) };
    });
    if (problems.length > 0) {
        throw new MeshError(
            `Stack files the orchestrator cannot read (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
    }
    return { project, stacks };
}
