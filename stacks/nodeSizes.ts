import type { Cloud } from "../components/clusters/cluster";

/** vCPUs and memory of one node size. */
export interface NodeShape {
    vcpus: number;
    memoryGiB: number;
}

// Burstable AWS t-family sizes do not follow the vCPU x ratio rule of the other families.
const awsBurstable: Record<string, NodeShape> = {
    nano: { vcpus: 2, memoryGiB: 0.5 },
    micro: { vcpus: 2, memoryGiB: 1 },
    small: { vcpus: 2, memoryGiB: 2 },
    medium: { vcpus: 2, memoryGiB: 4 },
    large: { vcpus: 2, memoryGiB: 8 },
    xlarge: { vcpus: 4, memoryGiB: 16 },
    "2xlarge": { vcpus: 8, memoryGiB: 32 },
};

// GiB of memory per vCPU by instance family class.
const awsRatio: Record<string, number> = { m: 4, c: 2, r: 8 };
const azureRatio: Record<string, number> = { D: 4, E: 8, F: 2 };
const azureBurstable: Record<string, NodeShape> = {
    B2s: { vcpus: 2, memoryGiB: 4 },
    B2ms: { vcpus: 2, memoryGiB: 8 },
    B4ms: { vcpus: 4, memoryGiB: 16 },
    B8ms: { vcpus: 8, memoryGiB: 32 },
};
const gcpRatio: Record<string, number> = { standard: 4, highmem: 8, highcpu: 1 };
// Families whose ratios differ from those: highcpu is 2 GB per vCPU from C3/N4 on, C4 standard 3.75.
const gcpFamilyRatio: Record<string, Record<string, number>> = {
    c3: { highcpu: 2 },
    c3d: { highcpu: 2 },
    n4: { highcpu: 2 },
    c4: { highcpu: 2, standard: 3.75, highmem: 7.75 },
};
const gcpShared: Record<string, NodeShape> = {
    "e2-micro": { vcpus: 2, memoryGiB: 1 },
    "e2-small": { vcpus: 2, memoryGiB: 2 },
    "e2-medium": { vcpus: 2, memoryGiB: 4 },
};

/**
 * The shape of a node size from its name, for the families whose names encode it; undefined
 * when the name says nothing we can rely on (then the size is not checked).
 */
export function nodeShape(cloud: Cloud, size: string): NodeShape | undefined {
    if (cloud === "aws") {
        const m = /^([a-z])(\d+)[a-z-]*\.(nano|micro|small|medium|large|xlarge|(\d+)xlarge)$/.exec(size);
        if (!m) return undefined;
        const [, family, , suffix, multiple] = m;
        if (family === "t") return awsBurstable[suffix];
        const ratio = awsRatio[family];
        if (!ratio) return undefined;
        const vcpus = suffix === "large" ? 2 : suffix === "xlarge" ? 4 : multiple ? 4 * Number(multiple) : undefined;
        return vcpus ? { vcpus, memoryGiB: vcpus * ratio } : undefined;
    }
    if (cloud === "azure") {
        // Only the first B series: Bsv2 sizes of the same name differ (B2s_v2 has 8 GiB).
        const b = /^Standard_(B\d+m?s)$/.exec(size);
        if (b) return azureBurstable[b[1]];
        const m = /^Standard_([DEF])(\d+)([a-z]*)_v(\d+)$/.exec(size);
        if (!m) return undefined;
        const [, family, count, features, generation] = m;
        // Dv2 sizes do not follow the ratio (D2_v2 has 7 GiB; D11_v2 to D15_v2 are memory-optimized).
        if (family === "D" && Number(generation) < 3) return undefined;
        const vcpus = Number(count);
        // The l of Dlsv5, Dplsv6 and the like marks low-memory sizes: 2 GiB per vCPU.
        const ratio = family === "D" && features.includes("l") ? 2 : azureRatio[family];
        return { vcpus, memoryGiB: vcpus * ratio };
    }
    if (cloud === "gcp") {
        if (gcpShared[size]) return gcpShared[size];
        const m = /^(e2|n2|n2d|n4|c3|c3d|c4|t2d)-(standard|highmem|highcpu)-(\d+)$/.exec(size);
        if (!m) return undefined;
        const vcpus = Number(m[3]);
        return { vcpus, memoryGiB: vcpus * (gcpFamilyRatio[m[1]]?.[m[2]] ?? gcpRatio[m[2]]) };
    }
    return undefined;
}

/**
 * Smallest node that holds istiod (500m CPU, 2Gi by default) beside the gateways and the
 * cloud's system pods: the 2 vCPU / 4 GiB class does not.
 */
export const primaryNodeMinimum: NodeShape = { vcpus: 2, memoryGiB: 8 };
