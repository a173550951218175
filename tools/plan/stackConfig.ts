/**
 * The config `pulumi up` would hand the program, read from the project's files alone:
 * Pulumi.yaml's declared defaults merged with Pulumi.<stack>.yaml, secrets replaced by labelled
 * placeholders. No Pulumi CLI, backend or credentials are involved.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { secretPlaceholder, syntheticKubeconfig, syntheticRootCa, syntheticServer } from "../synthetic/placeholders";

/** Why the plan cannot run; the message says what to do. */
export class PlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanError";
    }
}

/** Config as the program receives it: full keys (`namespace:key`) to strings, JSON for objects. */
export interface StackConfig {
    /** Project name (Pulumi.yaml `name`): the namespace of keys declared without one. */
    project: string;
    /** Short stack name (`dev` for `org/project/dev`). */
    stack: string;
    /** The stack file read, relative to the project directory. */
    stackFile: string;
    values: Record<string, string>;
    /** Full keys holding at least one secret. */
    secretKeys: string[];
    /** What stands in for each secret, for the report (`kubeconfigs.onprem: synthetic kubeconfig`). */
    substitutions: string[];
}

/** Pulumi.yaml's `config:` entry for one key. */
interface ProjectConfigEntry {
    type?: string;
    default?: unknown;
    value?: unknown;
    description?: string;
    secret?: boolean;
}

const stackFilePattern = /^Pulumi\.(.+)\.ya?ml$/;

/** Stacks of the project that have a stack file, sorted. */
export function stacksWithFiles(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => stackFilePattern.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function readYaml(file: string): any {
    try {
        return parse(fs.readFileSync(file, "utf8")) ?? {};
    } catch (err) {
        throw new PlanError(`${path.basename(file)} is not valid YAML: ${(err as Error).message}`);
    }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when a value is `{secure: <ciphertext>}`, Pulumi's form of an encrypted value. */
function isSecure(v: unknown): v is { secure: string } {
    return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

/**
 * Whether a stack value has the type Pulumi.yaml declares; `pulumi up` refuses the stack
 * otherwise. Scalars arrive from YAML typed, or as strings when quoted.
 */
function hasDeclaredType(type: string, value: unknown): boolean {
    switch (type) {
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
        case "string":
            return ["string", "number", "boolean"].includes(typeof value);
        case "array":
            return Array.isArray(value);
        default:
            return true;
    }
}

/** Full key of a Pulumi.yaml config entry: keys without a namespace belong to the project. */
function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Replaces every `{secure: ...}` inside a value; records what stood in for it. */
function replaceSecrets(
    key: string,
    value: unknown,
    project: string,
    raw: Record<string, unknown>,
    substitutions: string[],
): { value: unknown; secret: boolean } {
    let secret = false;
    const kubeconfigsKey = `${project}:kubeconfigs`;
    const walk = (v: unknown, at: string[]): unknown => {
        if (isSecure(v)) {
            secret = true;
            const keyPath = [key, ...at].join(".");
            // The program reads the API server and CA out of an existing cluster's kubeconfig.
            if (key === kubeconfigsKey && at.length === 1) {
                substitutions.push(`${keyPath}: a synthetic kubeconfig (server ${syntheticServer(at[0])})`);
                return syntheticKubeconfig(at[0]);
            }
            if (key === kubeconfigsKey && at.length === 0) {
                // The whole map is one secret: one synthetic kubeconfig per existing cluster.
                const names = existingClusterNames(raw[`${project}:clusters`]);
                substitutions.push(`${keyPath}: synthetic kubeconfigs for ${names.join(", ") || "no existing cluster"}`);
                return Object.fromEntries(names.map((n) => [n, syntheticKubeconfig(n)]));
            }
            substitutions.push(`${keyPath}: a labelled placeholder string`);
            return secretPlaceholder(keyPath);
        }
        if (Array.isArray(v)) return v.map((x, i) => walk(x, [...at, String(i)]));
        if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...at, k])]));
        return v;
    };
    const replaced = walk(value, []);
    return { value: replaced, secret };
}

/** True when a value holds a `{secure: ...}` anywhere. */
function containsSecret(v: unknown): boolean {
    if (isSecure(v)) return true;
    if (Array.isArray(v)) return v.some(containsSecret);
    if (isPlainObject(v)) return Object.values(v).some(containsSecret);
    return false;
}

/** Names of the `existing` clusters in a raw `clusters` value, when it is readable. */
function existingClusterNames(clusters: unknown): string[] {
    if (!Array.isArray(clusters)) return [];
    return clusters.filter((c) => isPlainObject(c) && c.cloud === "existing" && typeof c.name === "string").map((c) => c.name as string);
}

/** Config values reach the program as strings; objects, lists, numbers and booleans as JSON. */
function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Reads the config of `stackName` from `projectDir`. Throws PlanError when the plan cannot
 * stand in for `pulumi up`: no such stack file, ESC environments, a value Pulumi would refuse.
 */
export function readStackConfig(projectDir: string, stackName: string): StackConfig {
    const projectFile = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(projectDir, f)).find((f) => fs.existsSync(f));
    if (!projectFile) {
        throw new PlanError(`${projectDir} has no Pulumi.yaml: run the plan in the Pulumi project's directory`);
    }
    const projectDoc = readYaml(projectFile);
    const project: string = projectDoc.name;
    // `org/project/stack` names the same stack file as `stack`.
    const stack = stackName.split("/").pop()!;
    const stackFile = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].find((f) => fs.existsSync(path.join(projectDir, f)));
    if (!stackFile) {
        const stacks = stacksWithFiles(projectDir);
        throw new PlanError(
            `stack ${stackName}: there is no Pulumi.${stack}.yaml in ${projectDir}. ` +
                `Stacks with a stack file here: ${stacks.join(", ") || "none"}.`,
        );
    }
    const stackDoc = readYaml(path.join(projectDir, stackFile));
    if (stackDoc.environment !== undefined) {
        const envs = Array.isArray(stackDoc.environment) ? stackDoc.environment.join(", ") : JSON.stringify(stackDoc.environment);
        throw new PlanError(
            `${stackFile} imports Pulumi ESC environments (environment: ${envs}). The offline plan cannot resolve ESC: ` +
                `it needs the Pulumi Cloud and credentials. Run pulumi preview --stack ${stack} instead, or plan a stack whose file sets every value itself.`,
        );
    }

    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const substitutions: string[] = [];
    const stackConfig: Record<string, unknown> = Object.fromEntries(
        Object.entries(isPlainObject(stackDoc.config) ? stackDoc.config : {}).map(([k, v]) => [fullKey(project, k), v]),
    );
    const declared: Record<string, unknown> = isPlainObject(projectDoc.config) ? projectDoc.config : {};

    // Project-level values and defaults first; the stack file overrides them.
    for (const [key, entry] of Object.entries(declared)) {
        const full = fullKey(project, key);
        const stackValue = stackConfig[full];
        const e: ProjectConfigEntry | undefined = isPlainObject(entry) ? (entry as ProjectConfigEntry) : undefined;
        if (stackValue !== undefined) {
            if (e?.type && !isSecure(stackValue) && !hasDeclaredType(e.type, stackValue)) {
                // What `pulumi up` says when it validates the stack against the project.
                throw new PlanError(
                    `validating stack config: Stack '${stack}' with configuration key '${key}' must be of type '${e.type}'`,
                );
            }
            continue;
        }
        if (e && "value" in e) values[full] = asConfigString(e.value);
        else if (e && "default" in e) values[full] = asConfigString(e.default);
        else if (!e) values[full] = asConfigString(entry);
        else if (e.type !== undefined) {
            throw new PlanError(`Stack '${stack}' is missing configuration value '${key}' (declared in Pulumi.yaml without a default)`);
        }
    }
    for (const [full, value] of Object.entries(stackConfig)) {
        if (full === `${project}:rootCa` && containsSecret(value)) {
            // A root the user brings: the program checks that the certificate is a CA and the key
            // its own, which no placeholder of one half could pass: both halves are stood in for.
            substitutions.push(`${full}: a synthetic root CA (certificate and its key)`);
            values[full] = JSON.stringify(syntheticRootCa);
            secretKeys.push(full);
            continue;
        }
        const { value: plain, secret } = replaceSecrets(full, value, project, stackConfig, substitutions);
        values[full] = asConfigString(plain);
        if (secret) secretKeys.push(full);
    }
    return { project, stack, stackFile, values, secretKeys, substitutions };
}
