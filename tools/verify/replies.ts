/**
 * Reading what the curl client printed: helloworld replies, curl's own errors, and anything
 * else. Pure functions: no I/O.
 */

/** One helloworld answer: `Hello version: v2, instance: helloworld-v2-7d5b8f9c6b-x2kqz`. */
export interface Reply {
    version: string;
    /** The pod that answered (helloworld reports its hostname, which is the pod name). */
    instance: string;
}

/** Every request of one curl run, sorted by outcome. */
export interface CurlOutput {
    replies: Reply[];
    /** curl's own error lines, e.g. `curl: (28) Connection timed out after 5001 milliseconds`. */
    failures: string[];
    /** Lines that are neither a reply nor a curl error, e.g. an HTML error page. */
    unexpected: string[];
}

const replyLine = /^Hello version: ([^\s,]+), instance: (\S+)$/;
const curlErrorLine = /^curl: \(\d+\) /;

/** Parses one line of helloworld output; undefined for anything else. */
export function parseReplyLine(line: string): Reply | undefined {
    const match = replyLine.exec(line.trim());
    return match ? { version: match[1], instance: match[2] } : undefined;
}

/**
 * Sorts curl output lines, one request per line. Blank lines are skipped: they carry no
 * request (the shell loop may print one after a reply that already ended with a newline).
 */
export function parseCurlOutput(stdout: string): CurlOutput {
    const out: CurlOutput = { replies: [], failures: [], unexpected: [] };
    for (const raw of stdout.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "") continue;
        const reply = parseReplyLine(line);
        if (reply) out.replies.push(reply);
        else if (curlErrorLine.test(line)) out.failures.push(line);
        else out.unexpected.push(line);
    }
    return out;
}

/** Where an answering pod runs. */
export type Location = { kind: "cluster"; cluster: string } | { kind: "unknown" } | { kind: "ambiguous"; clusters: string[] };

/**
 * Finds the cluster of each helloworld pod from the pods listed per cluster. Pod names are
 * random per ReplicaSet, but identical Deployments in two clusters share the template hash, so
 * a name could in principle occur twice: such a reply is reported as ambiguous, never guessed.
 */
export function locateInstances(podsByCluster: ReadonlyMap<string, readonly string[]>): (instance: string) => Location {
    const owners = new Map<string, string[]>();
    for (const [cluster, pods] of podsByCluster) {
        for (const pod of pods) owners.set(pod, [...(owners.get(pod) ?? []), cluster]);
    }
    return (instance) => {
        const clusters = owners.get(instance);
        if (!clusters) return { kind: "unknown" };
        if (clusters.length > 1) return { kind: "ambiguous", clusters };
        return { kind: "cluster", cluster: clusters[0] };
    };
}
