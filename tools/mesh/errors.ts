/**
 * Errors of the mesh orchestrator, and what the Pulumi CLI (driven by the Automation API)
 * reports, turned into messages that say what to do. Pure.
 */
import { ConcurrentUpdateError, StackNotFoundError } from "@pulumi/pulumi/automation";

/** A situation the orchestrator explains and stops at; its message says what to do. */
export class MeshError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MeshError";
    }
}

/** What the orchestrator was doing when the CLI failed. */
export interface FailureContext {
    /** The stack acted on; undefined while opening the workspace. */
    stack?: string;
    /** `init` (select or create), `up`, `preview`, `destroy`, or `open` (the workspace). */
    action: "open" | "init" | "up" | "preview" | "destroy";
    /** The project directory. */
    workDir: string;
}

/** What every stack of a run needs, for messages and --help. */
export const prerequisites =
    "the Pulumi CLI (3.x) on PATH, logged in (pulumi login) to the one backend that holds every stack of the mesh, " +
    "and every stack's secrets provider (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE for passphrase stacks, " +
    "credentials for a cloud KMS one)";

/** The CLI's output kept by a CommandError (its typings mark the field private). */
function commandOutput(err: unknown): { stdout: string; stderr: string; code?: string } {
    const result = (err as { commandResult?: { stdout?: string; stderr?: string; err?: { code?: string } } }).commandResult;
    const message = err instanceof Error ? err.message : String(err);
    return {
        stdout: result?.stdout ?? "",
        stderr: result?.stderr ?? (result ? "" : message),
        code: result?.err?.code ?? (err as { code?: string }).code,
    };
}

/** The CLI's error lines (`error: ...`), at most three, else its first lines. */
function errorLines(stdout: string, stderr: string): string {
    const lines = `${stderr}\n${stdout}`
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    const errors = [...new Set(lines.filter((l) => /\berror:/i.test(l)))];
    return (errors.length > 0 ? errors : lines).slice(0, 3).join(" | ") || "no error output";
}

/** A plain message for what the Pulumi CLI (or its absence) reported. */
export function explainPulumiError(err: unknown, ctx: FailureContext): string {
    const { stdout, stderr, code } = commandOutput(err);
    const both = `${stderr}\n${stdout}`;
    const stack = ctx.stack ?? "(none yet)";
    if (code === "ENOENT" || /spawn pulumi ENOENT/.test(both)) {
        return `the Pulumi CLI is not on PATH: the mesh orchestrator drives it through the Automation API and needs ${prerequisites} (install: https://www.pulumi.com/docs/install/)`;
    }
    if (/Minimum version requirement failed/.test(both)) {
        return `the Pulumi CLI is too old for the Automation API of this project: ${errorLines("", both)}`;
    }
    if (/no Pulumi\.yaml project file found/.test(both)) {
        return `${ctx.workDir} is not a Pulumi project directory (no Pulumi.yaml): pass the project directory with --cwd`;
    }
    if (/PULUMI_ACCESS_TOKEN must be set|not logged in/i.test(both)) {
        return `the Pulumi CLI is not logged in: run pulumi login to the backend that holds every stack of the mesh`;
    }
    if (err instanceof ConcurrentUpdateError || /Another update is currently in progress|currently locked by/.test(both)) {
        return `another update of stack ${stack} is in progress, or an interrupted one left it locked: wait for it, or run pulumi cancel --stack ${stack} if none is running`;
    }
    const unknown = /unknown stack "([^"]+)"/.exec(both);
    if (unknown) {
        return (
            `stack ${stack} reads stack ${unknown[1]} (a peer or its rootCaFrom), which the backend does not know or this identity cannot read: ` +
            `every stack of the mesh must live in the backend the CLI is logged in to, under the name its peers use (check the org in peers[].stack and rootCaFrom)`
        );
    }
    if (err instanceof StackNotFoundError || /no stack named .* found/.test(both)) {
        return (
            `stack ${stack} does not exist in the backend the Pulumi CLI is logged in to (project in ${ctx.workDir}): ` +
            `npm run mesh -- up creates missing stacks; see pulumi stack ls, or pulumi login to the backend that holds the mesh`
        );
    }
    if (/incorrect passphrase|failed to decrypt/i.test(both)) {
        return (
            `the secrets of stack ${stack} cannot be decrypted with the passphrase given: PULUMI_CONFIG_PASSPHRASE is one variable for every stack of the run, ` +
            `so stacks with passphrases must share one (or use a cloud KMS secrets provider)`
        );
    }
    if (/passphrase/i.test(both)) {
        return `stack ${stack} encrypts its secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (one passphrase for every stack of the run)`;
    }
    switch (ctx.action) {
        case "open":
            return `opening the Pulumi workspace in ${ctx.workDir} failed: ${errorLines(stdout, stderr)}`;
        case "init":
            return `selecting or creating stack ${stack} failed: ${errorLines(stdout, stderr)}`;
        default:
            return `pulumi ${ctx.action} of stack ${stack} failed (its output is above): ${errorLines(stdout, stderr)}`;
    }
}
