/**
 * What the program knows of each cloud's regions, to check `clusters[].region` before anything
 * is created. AWS's list is the AWS SDK's own enum; GCP's and Azure's are vendored (dated, with
 * their source) and can go stale, so an unknown name there is a warning, not an error.
 */
import * as aws from "@pulumi/aws";

/** AWS regions: the `aws.Region` enum of @pulumi/aws (the provider's own list), so it moves with the SDK pin. */
export const awsRegions: readonly string[] = Object.values(aws.Region) as string[];

/**
 * Availability zones an ordinary account can use per AWS region (opt-in regions and Local Zones
 * left out). Source: the per-region AZ table at https://qiita.com/MH35JP/items/1df91ccd2874e09c3598
 * (which, like AWS's "Regions and Zones" page, counts us-west-1 as 2 usable zones for accounts
 * created since 2013, and ap-northeast-1 as 3 of its 4). Regions not listed are not checked here;
 * the EKS component checks the zone list AWS returns.
 */
export const awsZoneCounts: Readonly<Record<string, number>> = {
    "us-east-1": 6,
    "us-east-2": 3,
    "us-west-1": 2,
    "us-west-2": 4,
    "ap-south-1": 3,
    "ap-northeast-1": 3,
    "ap-northeast-2": 4,
    "ap-northeast-3": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "ca-central-1": 3,
    "eu-central-1": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "eu-north-1": 3,
    "sa-east-1": 3,
};

/**
 * GCP regions, as listed on https://cloud.google.com/compute/docs/regions-zones (the output of
 * `gcloud compute regions list`), as of 2025, transcribed (not fetched from this machine). New regions open every year: an unknown name is a
 * warning only.
 */
export const gcpRegions: readonly string[] = [
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
];

/**
 * Azure locations of the public cloud, as `az account list-locations --query "[].name"` lists
 * them (physical regions), as of 2025. An unknown name is a warning only.
 */
export const azureLocations: readonly string[] = [
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/** Where each list came from, for messages. */
export const regionListSource = {
    aws: "the aws.Region enum of @pulumi/aws",
    gcp: "the list of cloud.google.com/compute/docs/regions-zones vendored in stacks/regions.ts (2025)",
    azure: "the list of az account list-locations vendored in stacks/regions.ts (2025)",
} as const;

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** The names of `known` closest to `name`, at most `count` (by edit distance, then name). */
export function nearestNames(name: string, known: readonly string[], count = 3): string[] {
    const lower = name.toLowerCase();
    return [...known]
        .map((k) => ({ k, d: editDistance(lower, k) }))
        .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
        .slice(0, count)
        .map((x) => x.k);
}
