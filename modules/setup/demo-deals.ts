import type { AppContext } from '../../server/context.ts';
import { Client } from '../clients/entities.ts';
import { createDealCommand } from '../deals/commands.ts';

/** Two demo deals, created through the deal command like any other deal, so a first start shows a living board. */
export async function seedDemoDeals(app: AppContext, ownerId: string, pipelineId: string): Promise<void> {
  const em = app.orm.em.fork();
  const clients = await em.find(Client, {}, { orderBy: { name: 'asc' }, limit: 2 });
  const ctx = {
    em,
    temporal: app.temporal,
    taskQueue: app.config.TEMPORAL_TASK_QUEUE,
    actorId: ownerId,
    viewer: { id: ownerId, role: 'admin' },
  };
  for (const [i, client] of clients.entries()) {
    await createDealCommand(ctx, ownerId, {
      title: i === 0 ? 'Warehouse automation' : 'Annual service contract',
      clientId: client.id,
      pipelineId,
      ...(i === 0 ? { amount: '120000.00', currency: 'EUR' } : {}),
    });
  }
}
