/**
 * `npm run verify -- --stack <name>`: checks a deployed mesh end to end with the helloworld
 * demo. Progress goes to stderr, the report to stdout; exit code 0 when every check passes.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, usage, UsageError } from "./args";
import { defaultRequestTimeoutSeconds, observeMesh } from "./collect";
import { NodeHttpClient } from "./httpClient";
import type { KubeClient } from "./kube";
import { renderReport } from "./report";
import { readStack } from "./stack";
import { parseStackOutputs, readSettings, VerifyError } from "./stackData";
import { judge } from "./verdict";

const progress = (line: string) => process.stderr.write(`verify: ${line}\n`);

/** Runs verify; resolves to the exit code. */
async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs(argv, process.cwd());
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`error: ${err.message}\nRun with --help for usage.\n`);
        return 1;
    }
    if (args.help) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }

    const workDir = path.resolve(args.cwd);
    if (!fs.existsSync(path.join(workDir, "Pulumi.yaml"))) {
        throw new VerifyError(`--cwd ${workDir}: no Pulumi.yaml there; pass the directory of the Pulumi project`);
    }
    progress(`reading outputs and config of stack ${args.stack} (project in ${workDir})`);
    const raw = await readStack(args.stack, workDir);
    const { mesh, kubeconfigs } = parseStackOutputs(args.stack, raw.outputs);
    const settings = readSettings(raw.config);
    if (!settings.demo) {
        throw new VerifyError(
            `stack ${args.stack} has config demo off, so there are no helloworld and curl pods to test with: ` +
                `pulumi config set demo true --stack ${args.stack}, then pulumi up --stack ${args.stack}`,
        );
    }

    const clients = new Map<string, KubeClient>();
    const { KubernetesClient } = await loadKubeClient();
    for (const cluster of mesh.clusters) {
        try {
            clients.set(cluster.name, new KubernetesClient(kubeconfigs.get(cluster.name)!));
        } catch (err) {
            throw new VerifyError(`${cluster.name}: its kubeconfig (stack output kubeconfigs) cannot be loaded: ${(err as Error).message}`);
        }
    }
    const observations = await observeMesh(mesh, clients, new NodeHttpClient(), {
        requests: args.requests,
        requestTimeoutSeconds: defaultRequestTimeoutSeconds,
        insecureIngress: args.insecureIngress,
        progress,
    });
    const verdict = judge(mesh, observations, { requests: args.requests, localityFailover: settings.localityFailover });
    process.stdout.write(renderReport(verdict, { stack: args.stack, ingress: { host: mesh.ingressHost, insecure: args.insecureIngress } }));
    return verdict.exitCode;
}

/**
 * Loaded only once the stack is read, so that --help and stack errors work even where the
 * Kubernetes client cannot load: it is an ES module, which CommonJS can require only on
 * Node 20.19+ / 22.12+.
 */
async function loadKubeClient(): Promise<typeof import("./kubeClient")> {
    try {
        return await import("./kubeClient");
    } catch (err) {
        if ((err as { code?: string }).code === "ERR_REQUIRE_ESM") {
            throw new VerifyError(
                `verify needs Node.js 20.19 or newer (this is ${process.version}): @kubernetes/client-node is an ES module`,
            );
        }
        throw err;
    }
}

main(process.argv.slice(2)).then(
    (code) => exit(code),
    (err) => {
        // A VerifyError is a situation to explain, anything else is a bug in verify: show its stack.
        process.stderr.write(
            err instanceof VerifyError ? `error: ${err.message}\n` : `error: unexpected, a bug in verify: ${err?.stack ?? err}\n`,
        );
        exit(1);
    },
);

/** Exits once stdout is flushed: open keep-alive sockets of the clients must not hold the process. */
function exit(code: number): void {
    process.stdout.write("", () => process.exit(code));
}
