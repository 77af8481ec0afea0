/** Departments for administrators: the list, and creating or changing one (its members are users' departmentId). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call, client, type Department } from '../../api.js';
import { USERS } from '../users/users-query.js';

export const DEPARTMENTS = ['departments'] as const;

export const departmentsQuery = {
  queryKey: DEPARTMENTS,
  queryFn: () => call(client.GET('/api/v1/departments')).then((r) => r.items),
};

export interface DepartmentBody {
  name: string;
  parentId: string | null;
  leadId: string | null;
  isSalesGroup: boolean;
}

/** Creates the department (none yet) or changes it from the version the dialog holds. */
export function useSaveDepartment() {
  return useMutation({
    mutationFn: (v: { saved: Department | null; body: DepartmentBody }): Promise<Department> =>
      v.saved
        ? call(
            client.PATCH('/api/v1/departments/{id}', {
              params: { path: { id: v.saved.id } },
              body: { ...v.body, version: v.saved.version },
            }),
            { method: 'PATCH' },
          )
        : call(client.POST('/api/v1/departments', { body: v.body })),
  });
}

/** One user into (departmentId) or out of (null) a department, from the version known for them. */
export function useMoveMember() {
  return useMutation({
    // one try: the dialog lists what failed and sends only that again
    retry: false,
    mutationFn: (v: { userId: string; version: number; departmentId: string | null }) =>
      call(
        client.PATCH('/api/v1/users/{id}', {
          params: { path: { id: v.userId } },
          body: { version: v.version, departmentId: v.departmentId },
        }),
        { method: 'PATCH' },
      ),
  });
}

/** After the dialog wrote something: the departments and the users are read again. */
export function useRefreshDepartments() {
  const qc = useQueryClient();
  return () =>
    Promise.all([qc.invalidateQueries({ queryKey: DEPARTMENTS }), qc.invalidateQueries({ queryKey: USERS })]);
}
