import * as pulumi from "@pulumi/pulumi";

/**
 * How the mesh treats an object that an earlier install may have left in a cluster it did not
 * create (`istio-system`, `istio-ingress`, `cacerts`). Decided per object and per cluster, never
 * from what the cluster holds at the time, so it cannot flip between runs: on such a cluster the
 * object is adopted (the provider upserts; `pulumi.com/patchForce` takes over the fields another
 * field manager, e.g. `kubectl label`, owns) and kept on destroy (the program cannot tell whether
 * it created it). Elsewhere nothing changes.
 */
export interface AdoptedObjects {
    /** Annotations the object carries (none where nothing is adopted). */
    annotations?: Record<string, string>;
    /** Resource options: `retainOnDelete` where the object may have been adopted. */
    opts: Pick<pulumi.CustomResourceOptions, "retainOnDelete">;
}

/** The adoption settings of an object in a cluster that existed before the program, or not. */
export function adopted(adoptsExistingObjects: boolean): AdoptedObjects {
    return adoptsExistingObjects ? { annotations: { "pulumi.com/patchForce": "true" }, opts: { retainOnDelete: true } } : { opts: {} };
}
