/**
 * Reads a stack's outputs and config through the Pulumi Automation API (which drives the
 * Pulumi CLI), turning the CLI's failures into messages that say what to do.
 */
import { LocalWorkspace, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ConfigValue, OutputValue, VerifyError } from "./stackData";

/** What the stack holds for verify, still as the Automation API returns it. */
export interface RawStack {
    outputs: Record<string, OutputValue>;
    config: Record<string, ConfigValue>;
}

/**
 * Outputs (secrets decrypted) and config of a stack of the project in `workDir`. Every call
 * names the stack (`--stack`) instead of selecting it: `LocalWorkspace.selectStack` would run
 * `pulumi stack select` and change which stack the user's next `pulumi up` in that directory
 * acts on.
 */
export async function readStack(stackName: string, workDir: string): Promise<RawStack> {
    try {
        const workspace = await LocalWorkspace.create({ workDir });
        const outputs = await workspace.stackOutputs(stackName);
        const config = await workspace.getAllConfig(stackName);
        return { outputs, config };
    } catch (err) {
        throw explainPulumiError(err, stackName, workDir);
    }
}

/** A VerifyError for what the Pulumi CLI (or its absence) reported. Exported for tests. */
export function explainPulumiError(err: unknown, stackName: string, workDir: string): VerifyError {
    // CommandError keeps the CLI's stderr in a field its typings mark private.
    const result = (err as { commandResult?: { stderr?: string; err?: { code?: string } } }).commandResult;
    const stderr = result?.stderr ?? (err instanceof Error ? err.message : String(err));
    if (result?.err?.code === "ENOENT" || /spawn pulumi ENOENT/.test(stderr)) {
        return new VerifyError(
            "verify needs the Pulumi CLI on PATH to read the stack's outputs " +
                `(install: https://www.pulumi.com/docs/install/), logged in to the backend that holds stack ${stackName} (pulumi login)`,
        );
    }
    if (err instanceof StackNotFoundError || /no stack named .* found/.test(stderr)) {
        return new VerifyError(
            `stack ${stackName} does not exist in the backend the Pulumi CLI is logged in to ` +
                `(project in ${workDir}): see pulumi stack ls, or pulumi login to the backend that holds it`,
        );
    }
    if (/passphrase/i.test(stderr)) {
        return new VerifyError(
            `stack ${stackName} encrypts its secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE ` +
                `(verify must decrypt the kubeconfigs output)`,
        );
    }
    if (/PULUMI_ACCESS_TOKEN must be set|not logged in/i.test(stderr)) {
        return new VerifyError(`the Pulumi CLI is not logged in: run pulumi login (to the backend that holds stack ${stackName})`);
    }
    if (/no Pulumi\.yaml project file found/.test(stderr)) {
        return new VerifyError(`${workDir} is not a Pulumi project directory (no Pulumi.yaml): pass the project directory with --cwd`);
    }
    const firstLines = stderr
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .slice(0, 3)
        .join(" | ");
    return new VerifyError(`reading stack ${stackName} with the Pulumi CLI failed: ${firstLines || "no error output"}`);
}
