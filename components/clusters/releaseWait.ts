import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** How long a release wait polls before it gives up; `pulumi destroy` then stops there, to be rerun. */
export const releaseWaitSeconds = 600;
/** Seconds between two checks. */
const pollSeconds = 10;

/** What one release wait checks. */
export interface ReleaseWaitArgs {
    /** What is awaited, for the message when the wait gives up, e.g. `Elastic IPs eipalloc-1, eipalloc-2`. */
    what: pulumi.Input<string>;
    /**
     * A POSIX shell condition that succeeds once the cloud has let go of the address (a missing
     * address counts as released). It runs with the runner's own cloud credentials: it names no
     * profile, so nothing of one machine's setup is stored in state.
     */
    released: pulumi.Input<string>;
}

/**
 * A delete-time wait between a LoadBalancer Service and the static address its load balancer
 * held: the Service depends on the wait, the wait on the address (and on the nodes, so that the
 * cloud controller still runs). On `pulumi destroy` the Service goes first; the wait's delete
 * then polls until the cloud has really released the address, at most `releaseWaitSeconds`,
 * before the address is deleted. The clouds lag behind the Service's finalizer: an NLB's network
 * interfaces hold its Elastic IPs for minutes (and the AWS provider releases an EIP only once),
 * an Azure public IP cannot be deleted while the load balancer still references it, GKE's
 * forwarding rule and `k8s-fw-*` firewall rule outlive the Service for a while. Nothing runs on
 * create or update.
 */
export function releaseWait(name: string, args: ReleaseWaitArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
    const script = pulumi.interpolate`deadline=$(( $(date +%s) + ${releaseWaitSeconds} ))
until ${args.released}; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "${args.what}: still in use ${releaseWaitSeconds / 60} minutes after the load balancer's Service was deleted; wait a few minutes and run pulumi destroy again" >&2
    exit 1
  fi
  sleep ${pollSeconds}
done`;
    return new command.local.Command(name, { delete: script, interpreter: ["/bin/sh", "-c"] }, opts);
}
