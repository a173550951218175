import type { CallResult, ResourceOutputs } from "./index";

/** Outputs the aws provider computes, by resource type. */
export const awsResources: Record<string, ResourceOutputs> = {};

/** Results of aws provider functions. */
export const awsCalls: Record<string, CallResult> = {};
