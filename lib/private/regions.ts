import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Why a string is not an AWS region, or undefined when it is one: the regions are aws-cdk-lib's
 * (`RegionInfo.regions`, generated from AWS's own region data), so a new region is known once
 * aws-cdk-lib is upgraded.
 */
export function regionProblem(region: string): string | undefined {
  const known = RegionInfo.regions.map((r) => r.name);
  if (known.includes(region)) return undefined;
  const zone = /^([a-z]{2}(-[a-z]+)+-\d+)[a-z]$/.exec(region)?.[1];
  if (zone && known.includes(zone)) return `${region} is an availability zone; the region is ${zone}`;
  const lower = region.toLowerCase();
  if (lower !== region && known.includes(lower))
    return `${region} is not a region: regions are written in lower case, ${lower}`;
  return `${region} is not an AWS region (a region is written like us-east-1; aws-cdk-lib knows ${known.length})`;
}
