export { buildPlan, type Plan, type PlanOptions } from './plan.js';
export { renderPlan } from './plan-text.js';
export { PlanNeedsDataError } from './data-free.js';
export type { AlgorithmPlan, AlgorithmState, PlannedQuantizer } from './algorithms.js';
export type { ScheduleRecord } from './schedule.js';
export type { KeptFloatLayer } from './kept-float.js';
export { buildNasPlan, renderNasPlan, type NasPlan, type NasStagePlan, type NasSpace } from './nas-plan.js';
