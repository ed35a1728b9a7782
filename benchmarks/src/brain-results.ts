import type { AwaitPlan, AwaitRun } from './brain-await.js';
import type { CapacityPlan, CapacityRun } from './brain-capacity.js';
import type { CpuPlan, CpuRun } from './brain-cpu.js';
import type { SettingFigures } from './brain-goals.js';
import type { PriorityPlan, PriorityRun } from './brain-priority.js';
import type { StarvationPlan, StarvationRun } from './brain-starvation.js';
import type { Check } from './check.js';
import type { machine } from './machine.js';

/** Everything one `pnpm bench:brain` run measured: written as brain.json, rendered as brain-report.html. */
export interface BrainResults {
  readonly machine: ReturnType<typeof machine>;
  /** `--quick`: smaller phases and runs, a smoke run whose goals are printed but not enforced. */
  readonly quick: boolean;
  readonly repeat: number;
  readonly capacity?: { readonly plan: CapacityPlan; readonly runs: readonly CapacityRun[]; readonly settings: readonly SettingFigures[] };
  readonly cpu?: { readonly plan: CpuPlan; readonly runs: readonly CpuRun[] };
  readonly await?: { readonly plan: AwaitPlan; readonly runs: readonly AwaitRun[] };
  readonly priority?: { readonly plan: PriorityPlan; readonly runs: readonly PriorityRun[] };
  readonly starvation?: { readonly plan: StarvationPlan; readonly runs: readonly StarvationRun[] };
  readonly checks: readonly Check[];
}
