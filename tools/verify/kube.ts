/**
 * What verify needs from a cluster's API server, as plain data: the real client
 * (`kubeClient.ts`) and the fake one for tests (`tests/tools/fakes/fakeKube.ts`) both implement it.
 */

/** One pod, reduced to what the checks read. */
export interface PodInfo {
    name: string;
    labels: Record<string, string>;
    /** Pod phase: Pending, Running, Succeeded, Failed, Unknown. */
    phase: string;
    /** Condition Ready is True. */
    ready: boolean;
    /** The pod is being deleted (a rollout's old pod): not held against the cluster. */
    terminating: boolean;
    /** Names of the regular containers (a classic injected `istio-proxy` is one of them). */
    containers: string[];
    /** Names of the init containers (a native-sidecar `istio-proxy` is one of them). */
    initContainers: string[];
    /** Annotations; the injector writes `istio.io/rev` (the revision that injected it). Listed pods of every namespace carry it. */
    annotations?: Record<string, string>;
    /** Namespace, for pods listed across namespaces. */
    namespace?: string;
}

/** One Secret, without its values: the checks only need to know whom it is for. */
export interface SecretInfo {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** Keys of `data`; for a remote secret, the cluster ID it gives access to. */
    dataKeys: string[];
}

/** What a command run in a container printed and how it ended. */
export interface ExecResult {
    stdout: string;
    stderr: string;
    exitCode: number;
}

/** Options of one exec call. */
export interface ExecOptions {
    /** Give up (and reject) after this many milliseconds. */
    timeoutMs: number;
}

/** The calls verify makes to one cluster. Implementations reject with messages for people. */
export interface KubeClient {
    /** Pods of a namespace matching a label selector such as `app=curl`. */
    listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
    /** Pods of every namespace matching a label selector ("": all). */
    listPodsInAllNamespaces(labelSelector: string): Promise<PodInfo[]>;
    /** Secrets of a namespace matching a label selector such as `istio/multiCluster=true`. */
    listSecrets(namespace: string, labelSelector: string): Promise<SecretInfo[]>;
    /** Runs a command in a container of a pod (no stdin, no TTY). */
    exec(namespace: string, pod: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult>;
}

/** Thrown by `exec` when the command outlived its timeout. */
export class ExecTimeoutError extends Error {
    constructor(public readonly timeoutMs: number) {
        super(`timed out after ${Math.round(timeoutMs / 1000)} s`);
        this.name = "ExecTimeoutError";
    }
}
