import { cloudModule } from "../clouds";
import type { Cloud } from "../components/clusters/cluster";

/** vCPUs and memory of one node size. */
export interface NodeShape {
    vcpus: number;
    memoryGiB: number;
}

/**
 * The shape of a node size from its name, for the families whose names encode it; undefined
 * when the name says nothing we can rely on (then the size is not checked).
 */
export function nodeShape(cloud: Cloud, size: string): NodeShape | undefined {
    // Each cloud reads its own size names (clouds/<cloud>.ts).
    return cloudModule(cloud).nodeShape?.(size);
}

/**
 * Smallest node that holds istiod (500m CPU, 2Gi by default) beside the gateways and the
 * cloud's system pods: the 2 vCPU / 4 GiB class does not.
 */
export const primaryNodeMinimum: NodeShape = { vcpus: 2, memoryGiB: 8 };
