/** The Region format the event schemas check, with the wording an error message shows. */
import * as z from 'zod';

/** Commercial, China (cn-*) and GovCloud (us-gov-*) Regions. */
export const RegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}$/, 'a Region such as us-east-1');
