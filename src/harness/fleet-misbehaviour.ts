/**
 * The misbehaviour rules that act on their own rather than in answer to the ACS: a power cut at
 * a random moment of each period (the device loses what it had not persisted and comes back with
 * 1 BOOT), and values that move by themselves (a counter, a signal strength) so that the ACS
 * gets notifications.
 */
import type { Fleet } from '../fleet/fleet.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Misbehaviour } from './misbehaviour.js';

export function startFleetMisbehaviour(fleet: Fleet, m: Misbehaviour, clock: Clock, random: () => number = Math.random): () => void {
  const timers = new Set<TimerHandle>();
  const every = (ms: number, first: number, f: () => void): void => {
    const run = (delay: number): void => {
      const t = clock.setTimer(delay, () => {
        timers.delete(t);
        f();
        run(ms);
      });
      timers.add(t);
    };
    run(first);
  };
  for (const member of fleet.members) {
    for (const rule of m.rulesFor('powerCut', member.serial)) {
      const period = rule.action.powerCut.everySeconds * 1000;
      // A random moment within each period.
      const cut = (): void => {
        const t = clock.setTimer(random() * period, () => {
          timers.delete(t);
          if (!member.agent) return cut();
          m.fire(rule.name, member.serial);
          void fleet.takeOffline(member).then(() => {
            const back = clock.setTimer(500, () => {
              timers.delete(back);
              fleet.bringOnline(member);
              cut();
            });
            timers.add(back);
          });
        });
        timers.add(t);
      };
      cut();
    }
    for (const rule of m.rulesFor('uspReconnectStorm', member.serial)) {
      const period = rule.action.uspReconnectStorm.everySeconds * 1000;
      every(period, random() * period, () => {
        if (!member.usp?.connected) return;
        m.fire(rule.name, member.serial);
        member.usp.drop();
      });
    }
    for (const rule of m.rulesFor('changingValue', member.serial)) {
      const { name, everySeconds, kind } = rule.action.changingValue;
      let counter = 0;
      every(everySeconds * 1000, random() * everySeconds * 1000, () => {
        const agent = member.agent;
        if (!agent || !agent.model.definitionOf(name)) return;
        counter++;
        const value = kind === 'counter' ? String(Number(agent.model.read(name)) + 1 || counter) : String(-30 - Math.floor(random() * 60));
        m.fire(rule.name, member.serial);
        agent.model.writeFromDevice({ [name]: value });
      });
    }
  }
  return () => {
    for (const t of timers) t.cancel();
    timers.clear();
  };
}
