/**
 * `npm run mesh -- up|preview|destroy --stacks a,b,c`: runs the stacks that own parts of one
 * mesh in the order their StackReferences need. Progress and each stack's Pulumi output go to
 * stdout, errors to stderr.
 */
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { parseArgs, usage, UsageError } from "./args";
import { explainPulumiError, MeshError } from "./errors";
import { MeshOrderError, planMesh, Step } from "./order";
import { describePlan, runPlan, stepLabel } from "./run";
import { readMeshStacks } from "./stackFiles";
import { pulumiWorkspace } from "./workspace";

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Prefixes each line of a stack's output with its step, holding partial lines back. */
function outputWriter(): { write(step: Step, text: string): void; flush(): void } {
    let pending = "";
    let current: Step | undefined;
    const prefix = (step: Step) => `  ${stepLabel(step).replace(/^\[(.*?)\].*/, "$1")} ${step.stack} | `;
    const flush = () => {
        if (pending !== "" && current) process.stdout.write(`${prefix(current)}${pending}\n`);
        pending = "";
    };
    return {
        write(step, text) {
            if (current !== step) flush();
            current = step;
            const lines = (pending + text).split("\n");
            pending = lines.pop()!;
            for (const line of lines) process.stdout.write(`${prefix(step)}${line}\n`);
        },
        flush,
    };
}

/** Asks on the terminal; false unless the answer is yes. */
async function confirm(question: string): Promise<boolean> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    try {
        const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
        return /^(y|yes)$/i.test(answer.trim());
    } finally {
        rl.close();
    }
}

/** Runs the orchestrator; resolves to the exit code. */
async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs(argv, process.cwd());
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`error: ${err.message}\nRun with --help for usage.\n`);
        return 2;
    }
    if (args.help) {
        say(usage);
        return 0;
    }
    const workDir = path.resolve(args.cwd);
    if (!fs.existsSync(path.join(workDir, "Pulumi.yaml"))) {
        throw new MeshError(`--cwd ${workDir}: no Pulumi.yaml there; pass the directory of the Pulumi project`);
    }
    const plan = planMesh(readMeshStacks(workDir, args.stacks), args.operation);
    say(describePlan(plan));
    if (args.operation !== "preview" && !args.yes) {
        if (!process.stdin.isTTY) {
            throw new MeshError(
                `${args.operation} changes cloud resources in ${plan.stacks.length} stacks: pass --yes to run it without a terminal to confirm on`,
            );
        }
        if (!(await confirm(`Run these ${plan.steps.length} steps? (yes/no) `))) {
            say("Nothing was run.");
            return 1;
        }
    }

    let workspace;
    try {
        workspace = await pulumiWorkspace(workDir);
    } catch (err) {
        throw new MeshError(explainPulumiError(err, { action: "open", workDir }));
    }
    const writer = outputWriter();
    try {
        const result = await runPlan(plan, workspace, {
            progress: (line) => {
                writer.flush();
                say(line);
            },
            output: (step, text) => writer.write(step, text),
        });
        say(
            `mesh ${plan.operation}: ${result.done.length} of ${plan.steps.length} steps done${result.skipped.length ? `, ${result.skipped.length} skipped` : ""}.`,
        );
        return 0;
    } finally {
        writer.flush();
    }
}

main(process.argv.slice(2)).then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (err) => {
        // A MeshError or MeshOrderError is a situation to explain; anything else is a bug: show its stack.
        const known = err instanceof MeshError || err instanceof MeshOrderError;
        process.stderr.write(
            known ? `error: ${err.message}\n` : `error: unexpected, a bug in the mesh orchestrator: ${err?.stack ?? err}\n`,
        );
        process.stdout.write("", () => process.exit(1));
    },
);
