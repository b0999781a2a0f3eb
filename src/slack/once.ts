// A modal submission applies at most once: its view id is claimed in the same transaction as
// the change it makes, so a replayed submission finds it taken, and a refused one (rolled
// back) can be corrected and sent again.
import type { Ctx } from "../domain/context.ts";
import { DomainError } from "../domain/errors.ts";
import type { UnitOfWork } from "../domain/ports.ts";

class AlreadyApplied extends DomainError {
  constructor() {
    super("already_decided", "This form was already submitted; nothing was changed again.");
  }
}

export function onceCtx(ctx: Ctx, key: string): Ctx {
  const uow: UnitOfWork = {
    run: (work) =>
      ctx.uow.run(async (tx) => {
        if (!(await tx.submissions.claim(key, ctx.clock.now()))) throw new AlreadyApplied();
        return work(tx);
      }),
  };
  return { ...ctx, uow };
}
