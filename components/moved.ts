import * as pulumi from "@pulumi/pulumi";

/**
 * Aliases of a component that moved under a new parent from the stack's root, where it lived
 * before: the engine then keeps it (and its children, whose aliases it derives from their
 * parent's) instead of replacing it. Called when the resource is made: the root stack resource
 * exists only once the program runs.
 */
export function movedFromStackRoot(): pulumi.ComponentResourceOptions["aliases"] {
    return [{ parent: pulumi.rootStackResource }];
}
