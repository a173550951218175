/**
 * Generated stack configs for the benchmark: meshes of any size, mixing clouds and roles, that
 * the program accepts without a problem or a warning. Pure.
 *
 * - EKS clusters are always primaries (an EKS remote draws a warning) and each gets its own AWS
 *   region with one NAT gateway and two zones: 3 Elastic IPs, under the default quota of 5.
 * - Every third cluster is an AKS remote of the EKS primary before it; GKE clusters alternate
 *   between primaries and remotes of the previous primary.
 * - Names are short DNS labels (`eks-00`, `aks-01`), within GKE's and AKS's length limits.
 */

/** AWS regions, one per EKS cluster (the Elastic IP quota is per region). */
export const awsRegions = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const azureLocations = ["eastus", "westeurope", "westus2", "northeurope", "southeastasia", "australiaeast", "japaneast", "uksouth"];
const gcpRegions = [
    "us-central1",
    "europe-west1",
    "us-east4",
    "asia-northeast1",
    "europe-west4",
    "us-west1",
    "asia-southeast1",
    "southamerica-east1",
];

/** GCP project of the generated GKE clusters (the program's gcp:project). */
export const benchGcpProject = "bench-mesh";

/** A cluster entry as it appears in a stack file. */
export type ClusterEntry = Record<string, string | number | boolean>;

/** The clusters of a generated mesh of `size` clusters. */
export function benchClusters(size: number): ClusterEntry[] {
    const maxAws = awsRegions.length;
    const clusters: ClusterEntry[] = [];
    let lastAws: string | undefined;
    let lastPrimary: string | undefined;
    // Clusters so far of the clouds that count theirs (EKS: one region each; GKE: roles in turn).
    let eks = 0;
    let gke = 0;
    for (let i = 0; i < size; i++) {
        const id = String(i).padStart(2, "0");
        let kind = ["aws", "azure", "gcp"][i % 3];
        if (kind === "aws" && eks >= maxAws) kind = "gcp";
        if (kind === "aws") {
            const name = `eks-${id}`;
            clusters.push({ name, cloud: "aws", region: awsRegions[eks], singleNatGateway: true, zones: 2 });
            lastAws = lastPrimary = name;
            eks++;
        } else if (kind === "azure" && lastAws) {
            clusters.push({
                name: `aks-${id}`,
                cloud: "azure",
                region: azureLocations[i % azureLocations.length],
                role: "remote",
                primary: lastAws,
            });
        } else {
            const name = `gke-${id}`;
            const remote = gke % 2 === 1 && lastPrimary !== undefined;
            clusters.push({
                name,
                cloud: "gcp",
                region: gcpRegions[gke % gcpRegions.length],
                deletionProtection: false,
                ...(remote ? { role: "remote", primary: lastPrimary! } : {}),
            });
            if (!remote) lastPrimary = name;
            gke++;
        }
    }
    return clusters;
}

/** A whole stack config (keys of this project without namespace, plus gcp:project). */
export function benchStackConfig(size: number): Record<string, unknown> {
    return {
        "gcp:project": benchGcpProject,
        protectRootCa: false,
        clusters: benchClusters(size),
    };
}
