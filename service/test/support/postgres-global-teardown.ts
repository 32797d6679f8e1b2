import { holder } from './postgres-global';

export default async function teardown(): Promise<void> {
  holder.courseworkPostgres?.destroy();
  delete holder.courseworkPostgres;
}
