/** The regulations' reads: published versions, the task inbox, one task with its form, one instance with its diagram. */
import type { Json } from '../../api.js';
import { api } from '../../api.js';

export type RegulationVersion = Json<'listRegulations'>['items'][number];
export type Task = Json<'myTasks'>['items'][number];
export type TaskDetail = Json<'getTask'>;
export type Instance = Json<'getRegulationInstance'>;
export type InstanceDiagram = Json<'getRegulationInstanceDiagram'>;
export interface Problem {
  elementId: string | null;
  code: string;
  message: string;
}
export interface FieldError {
  field: string;
  message: string;
}

export const regulationKeys = {
  list: ['regulations'] as const,
  tasks: ['tasks'] as const,
  task: (id: string) => ['tasks', id] as const,
  instance: (id: string) => ['regulation-instance', id] as const,
};

export const regulationsQuery = () => ({
  queryKey: regulationKeys.list,
  queryFn: () => api.get<Json<'listRegulations'>>('/regulations'),
});
export const tasksQuery = () => ({
  queryKey: regulationKeys.tasks,
  queryFn: () => api.get<Json<'myTasks'>>('/tasks'),
});

/** Whether a task is overdue now. */
export const overdue = (t: Task, now = Date.now()) => t.dueAt !== null && Date.parse(t.dueAt) < now;
