/**
 * KubeClient on @kubernetes/client-node: one per cluster, built from the kubeconfig the stack
 * publishes. Errors are rewritten into one line for people (the library's carry HTTP headers).
 */
import { CoreV1Api, Exec, KubeConfig, V1Pod, V1Secret, V1Status } from "@kubernetes/client-node";
import { Writable } from "stream";
import { ExecOptions, ExecResult, ExecTimeoutError, KubeClient, PodInfo, SecretInfo } from "./kube";

/** KubeClient for one cluster. */
export class KubernetesClient implements KubeClient {
    private readonly config: KubeConfig;
    private readonly core: CoreV1Api;
    private readonly execApi: Exec;
    private readonly execPlugin?: string;

    /** @param kubeconfig YAML or JSON text; exec plugins (aws, gke-gcloud-auth-plugin) run from PATH. */
    constructor(kubeconfig: string) {
        const config = new KubeConfig();
        config.loadFromString(kubeconfig);
        this.config = config;
        this.core = config.makeApiClient(CoreV1Api);
        this.execApi = new Exec(config);
        this.execPlugin = config.getCurrentUser()?.exec?.command;
    }

    async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
        await this.credentials();
        try {
            const list = await this.core.listNamespacedPod({ namespace, labelSelector });
            return list.items.map(podInfo);
        } catch (err) {
            throw this.explain(err);
        }
    }

    async listPodsInAllNamespaces(labelSelector: string): Promise<PodInfo[]> {
        await this.credentials();
        try {
            const list = await this.core.listPodForAllNamespaces({ labelSelector });
            return list.items.map(podInfo);
        } catch (err) {
            throw this.explain(err);
        }
    }

    async listSecrets(namespace: string, labelSelector: string): Promise<SecretInfo[]> {
        await this.credentials();
        try {
            const list = await this.core.listNamespacedSecret({ namespace, labelSelector });
            return list.items.map(secretInfo);
        } catch (err) {
            throw this.explain(err);
        }
    }

    async exec(namespace: string, pod: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult> {
        await this.credentials();
        return new Promise<ExecResult>((resolve, reject) => {
            const stdout = collector();
            const stderr = collector();
            let settled = false;
            let socket: { close(): void } | undefined;
            const settle = (outcome: () => void) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                outcome();
            };
            const timer = setTimeout(() => {
                settle(() => reject(new ExecTimeoutError(options.timeoutMs)));
                socket?.close();
            }, options.timeoutMs);
            // The status message comes last on the socket, after every stdout/stderr frame.
            const onStatus = (status: V1Status) => {
                const exitCode = exitCodeOf(status);
                if (exitCode === undefined)
                    settle(() => reject(new Error(`exec in ${pod}/${container}: ${status.message ?? status.reason ?? "failed"}`)));
                else settle(() => resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode }));
            };
            this.execApi
                .exec(namespace, pod, container, command, stdout.stream, stderr.stream, null, false, onStatus)
                .then((ws) => {
                    socket = ws;
                    ws.on("close", () =>
                        settle(() =>
                            reject(new Error(`exec in ${pod}/${container}: connection closed before the command's exit status arrived`)),
                        ),
                    );
                })
                .catch((err) => settle(() => reject(this.explain(err))));
        });
    }

    /**
     * Runs the kubeconfig's credential plugin (aws, gke-gcloud-auth-plugin) on its own, so that
     * its failure is named as such and not mistaken for the API server's. The library caches
     * the token until it expires, so this costs one plugin run per cluster.
     */
    private async credentials(): Promise<void> {
        try {
            await this.config.applyToHTTPSOptions({});
        } catch (err) {
            const e = err as { code?: unknown; message?: string };
            const plugin = this.execPlugin ? `credential plugin "${this.execPlugin}"` : "credentials";
            if (e?.code === "ENOENT") {
                throw new Error(`the kubeconfig's ${plugin} is not on PATH (EKS needs the aws CLI, GKE needs gke-gcloud-auth-plugin)`, {
                    cause: err,
                });
            }
            throw new Error(`the kubeconfig's ${plugin} failed: ${oneLine(e?.message ?? String(err))}`, { cause: err });
        }
    }

    /** One line that says what failed; the library's own messages carry HTTP headers. */
    private explain(err: unknown): Error {
        const e = err as { code?: unknown; body?: unknown; message?: string };
        if (typeof e?.code === "number") {
            return new Error(`API server answered HTTP ${e.code}: ${apiMessage(e.body) ?? "no message"}`);
        }
        return new Error(oneLine(e?.message ?? String(err)));
    }
}

/** A tool's multi-line error on one line, without klog prefixes (`F1126 00:20:35.52 14427 cred.go:145] `). */
function oneLine(message: string, max = 400): string {
    const text = message
        .split("\n")
        .map((l) => l.replace(/^[IWEF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, "").trim())
        .filter((l) => l !== "")
        .join(" ");
    return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** The `message` of a Kubernetes Status body, which the library may hand over as text. */
function apiMessage(body: unknown): string | undefined {
    let parsed = body;
    if (typeof body === "string") {
        try {
            parsed = JSON.parse(body);
        } catch {
            return body.slice(0, 300);
        }
    }
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === "string" ? message : undefined;
}

/** Exit code from the exec status channel; undefined when the exec itself failed. */
function exitCodeOf(status: V1Status): number | undefined {
    if (status.status === "Success") return 0;
    if (status.reason === "NonZeroExitCode") {
        const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
        const code = Number(cause?.message);
        return Number.isInteger(code) ? code : 1;
    }
    return undefined;
}

/** A Writable that keeps raw bytes, decoded once at the end (a frame may split a UTF-8 character). */
function collector(): { stream: Writable; text(): string } {
    const chunks: Buffer[] = [];
    const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
            chunks.push(Buffer.from(chunk));
            done();
        },
    });
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

function podInfo(pod: V1Pod): PodInfo {
    const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    return {
        name: pod.metadata?.name ?? "",
        labels: pod.metadata?.labels ?? {},
        phase: pod.status?.phase ?? "Unknown",
        ready,
        terminating: pod.metadata?.deletionTimestamp !== undefined,
        containers: (pod.spec?.containers ?? []).map((c) => c.name),
        initContainers: (pod.spec?.initContainers ?? []).map((c) => c.name),
        annotations: pod.metadata?.annotations ?? {},
        namespace: pod.metadata?.namespace,
    };
}

function secretInfo(secret: V1Secret): SecretInfo {
    return {
        name: secret.metadata?.name ?? "",
        labels: secret.metadata?.labels ?? {},
        annotations: secret.metadata?.annotations ?? {},
        dataKeys: Object.keys(secret.data ?? {}),
    };
}
