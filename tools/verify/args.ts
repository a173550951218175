/** Command-line arguments of verify. Pure: no I/O. */
import { readOptions, UsageError, wantsHelp } from "../cli";

export { UsageError } from "../cli";

/** A valid command line. */
export type VerifyArgs = { help: true } | { help: false; stack: string; requests: number; cwd: string; insecureIngress: boolean };

/** Requests per curl pod when --requests is not given. */
export const defaultRequests = 20;
/** More would only make the run slower: each request may take up to its timeout. */
export const maxRequests = 1000;

export const usage = `Usage: npm run verify -- --stack <name> [--requests N] [--cwd <project dir>] [--insecure-ingress]

Checks a deployed mesh with the helloworld demo (config demo: true):
  - curl and helloworld pods exist, are ready and have an istio-proxy sidecar in every cluster
  - every primary holds a remote secret for every other cluster (stack outputs and istio-system)
  - N requests from each cluster's curl pod to helloworld.sample:5000 all get replies, and
    at least one comes from another network (with trafficPolicy.localityFailover on, replies
    are meant to stay local: they are accepted, and the report says what was not observed)
  - N requests from this machine to GET /hello on each ingress gateway (clusters with
    ingress: true) all get helloworld replies; with ingressTls, over HTTPS on 443 with its
    host as Host header and TLS server name, the certificate checked against Node's trusted
    CAs (add a private CA with NODE_EXTRA_CA_CERTS=<ca.pem>); plain HTTP on 80 otherwise.
    Skipped, and said so, when no cluster runs an ingress gateway

Options:
  --stack <name>       stack to verify (required), e.g. dev or org/istio-multicloud/dev
  --requests N         requests per curl pod and per ingress gateway, 1 to ${maxRequests} (default ${defaultRequests})
  --cwd <dir>          the Pulumi project directory (default: the current directory)
  --insecure-ingress   do not verify the ingress gateways' TLS certificate: for self-signed
                       test certificates only (the host name is still sent as Host and SNI)
  -h, --help           show this help

Needs the Pulumi CLI logged in to the stack's backend, the stack's secrets provider (e.g.
PULUMI_CONFIG_PASSPHRASE), the credential plugins of the clusters' kubeconfigs on PATH
(aws for EKS, gke-gcloud-auth-plugin for GKE), and, for the ingress check, this machine
allowed by ingressSourceRanges.
Exit code: 0 when the mesh passes every check, 1 otherwise.`;

/** Options that take a value. */
const valued = ["--stack", "--requests", "--cwd"];
/** Options that are on when given and take no value. */
const flags = ["--insecure-ingress", "--help"];

/** Parses argv (without node and the script); throws UsageError. */
export function parseArgs(argv: string[], cwd: string): VerifyArgs {
    if (wantsHelp(argv)) return { help: true };
    const { values, flags: given, positionals } = readOptions(argv, { valued, flags });
    if (positionals.length > 0) {
        throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: options take the form --stack <name>`);
    }
    const stack = values.get("--stack");
    if (stack === undefined) throw new UsageError("--stack is required: the stack to verify, e.g. --stack dev");

    let requests = defaultRequests;
    const rawRequests = values.get("--requests");
    if (rawRequests !== undefined) {
        requests = Number(rawRequests);
        if (!/^\d+$/.test(rawRequests) || requests < 1 || requests > maxRequests) {
            throw new UsageError(`--requests: ${JSON.stringify(rawRequests)} is not a whole number from 1 to ${maxRequests}`);
        }
    }
    return { help: false, stack, requests, cwd: values.get("--cwd") ?? cwd, insecureIngress: given.has("--insecure-ingress") };
}
