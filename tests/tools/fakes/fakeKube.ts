/**
 * An in-memory KubeClient: the pods and Secrets of one cluster as plain data, and a function
 * that answers exec calls. Used by the tests; it runs nothing and reaches no cluster.
 */
import { ExecOptions, ExecResult, ExecTimeoutError, KubeClient, PodInfo, SecretInfo } from "../../../tools/verify/kube";

/** One exec call as the fake received it. */
export interface ExecCall {
    namespace: string;
    pod: string;
    container: string;
    command: string[];
    options: ExecOptions;
}

/** What one fake cluster holds. */
export interface FakeCluster {
    /** Pods by namespace. */
    pods?: Record<string, PodInfo[]>;
    /** Secrets by namespace. */
    secrets?: Record<string, SecretInfo[]>;
    /** Answers exec; return "timeout" to make the call time out. Default: exits 0, prints nothing. */
    exec?: (call: ExecCall) => ExecResult | "timeout";
    /** When set, every call rejects with this message (an unreachable API server). */
    unreachable?: string;
}

/** A KubeClient over a FakeCluster that records its exec calls. */
export class FakeKubeClient implements KubeClient {
    /** Every exec call, in order. */
    public readonly execCalls: ExecCall[] = [];

    constructor(private readonly cluster: FakeCluster) {}

    async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
        this.failIfUnreachable();
        return (this.cluster.pods?.[namespace] ?? []).filter((p) => matches(p.labels, labelSelector));
    }

    async listPodsInAllNamespaces(labelSelector: string): Promise<PodInfo[]> {
        this.failIfUnreachable();
        return Object.entries(this.cluster.pods ?? {}).flatMap(([namespace, pods]) =>
            pods.filter((p) => matches(p.labels, labelSelector)).map((p) => ({ ...p, namespace })),
        );
    }

    async listSecrets(namespace: string, labelSelector: string): Promise<SecretInfo[]> {
        this.failIfUnreachable();
        return (this.cluster.secrets?.[namespace] ?? []).filter((s) => matches(s.labels, labelSelector));
    }

    async exec(namespace: string, pod: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult> {
        this.failIfUnreachable();
        const call = { namespace, pod, container, command, options };
        this.execCalls.push(call);
        const pods = this.cluster.pods?.[namespace] ?? [];
        const target = pods.find((p) => p.name === pod);
        // What the API server answers for a wrong pod or container, so callers see the same.
        if (!target) throw new Error(`pods "${pod}" not found`);
        if (!target.containers.includes(container)) throw new Error(`container ${container} is not valid for pod ${pod}`);
        const result = this.cluster.exec ? this.cluster.exec(call) : { stdout: "", stderr: "", exitCode: 0 };
        if (result === "timeout") throw new ExecTimeoutError(options.timeoutMs);
        return result;
    }

    private failIfUnreachable(): void {
        if (this.cluster.unreachable) throw new Error(this.cluster.unreachable);
    }
}

/**
 * Equality-based label selectors only (`a=b,c`, a bare key meaning "has the label"): what
 * verify sends. Anything else is a test mistake, so it throws.
 */
function matches(labels: Record<string, string>, selector: string): boolean {
    if (selector.trim() === "") return true;
    return selector.split(",").every((term) => {
        const t = term.trim();
        if (/^[\w./-]+$/.test(t)) return t in labels;
        const eq = /^([\w./-]+)==?([\w.-]*)$/.exec(t);
        if (!eq) throw new Error(`fake label selector does not support ${JSON.stringify(t)}`);
        return labels[eq[1]] === eq[2];
    });
}
