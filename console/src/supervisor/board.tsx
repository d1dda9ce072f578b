/**
 * The live board: per queue and per account the interactions waiting, the longest wait, offered, in progress,
 * today's accepted and closed, the average wait to accept and handle time, the service level; per agent its
 * presence and load against capacity. It reads GET /supervisor/board once, subscribes the socket to the `board`
 * topic and takes each `board.updated` (the whole board; a team- or account-filtered board is read again instead,
 * since the pushed one is unfiltered). A copy older than the one shown never replaces it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../client';
import { duration } from '../format';
import { useNow } from '../offers';
import { client, listenLive, sendLive, showError } from '../state';
import { FieldError } from '../field-errors';
import type { Board, Figures } from '../../../shared/domain/board';

export type { Board } from '../../../shared/domain/board';

interface Named {
  id: string;
  name: string;
}

const seconds = (s: number | null) => (s === null ? '–' : duration(s * 1000));
const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 100)}%`);

/** The longest wait as of now: the board's figure plus the time since it was read, while someone still waits. */
const waited = (f: Figures, at: string, now: number) =>
  f.waiting + f.offered > 0 ? duration(f.longestWaitSeconds * 1000 + Math.max(0, now - Date.parse(at))) : '–';

function FiguresTable({
  label,
  rows,
  at,
  serviceLevelSeconds,
}: {
  label: string;
  rows: (Figures & { id: string; name: string })[];
  at: string;
  serviceLevelSeconds: number;
}) {
  const now = useNow();
  return (
    <table class="grid board-figures" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{label === 'Queues' ? 'Queue' : 'Account'}</th>
          <th scope="col">Waiting</th>
          <th scope="col">Longest wait</th>
          <th scope="col">Offered</th>
          <th scope="col">In progress</th>
          <th scope="col">Accepted today</th>
          <th scope="col">Closed today</th>
          <th scope="col">Avg wait to accept</th>
          <th scope="col">Avg handle</th>
          <th scope="col" title={`Accepted within ${serviceLevelSeconds} s of entering the queue`}>
            Service level ({serviceLevelSeconds} s)
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={10} class="empty">
              None
            </td>
          </tr>
        )}
        {rows.map((r) => (
          <tr key={r.id} aria-label={r.name}>
            <th scope="row">{r.name}</th>
            <td class={r.waiting > 0 ? 'num hot' : 'num'} data-figure="waiting">
              {r.waiting}
            </td>
            <td class="num" data-figure="longest-wait">
              {waited(r, at, now)}
            </td>
            <td class="num" data-figure="offered">
              {r.offered}
            </td>
            <td class="num" data-figure="in-progress">
              {r.inProgress}
            </td>
            <td class="num">{r.acceptedToday}</td>
            <td class="num">{r.closedToday}</td>
            <td class="num">{seconds(r.averageWaitToAcceptSeconds)}</td>
            <td class="num">{seconds(r.averageHandleSeconds)}</td>
            <td class="num" data-figure="service-level">
              {percent(r.serviceLevel)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Load({ label, load, capacity }: { label: string; load: number; capacity: number }) {
  return (
    <span class="load" aria-label={`${label} load ${load} of ${capacity}`}>
      <meter min={0} max={Math.max(1, capacity)} value={load} high={Math.max(1, capacity) - 0.5} />
      {load}/{capacity}
    </span>
  );
}

function AgentsTable({ agents }: { agents: Board['agents'] }) {
  return (
    <table class="grid" aria-label="Agents">
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Presence</th>
          <th scope="col">SMS load</th>
          <th scope="col">WhatsApp load</th>
          <th scope="col">Handled today</th>
        </tr>
      </thead>
      <tbody>
        {agents.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">
              No agents
            </td>
          </tr>
        )}
        {agents.map((a) => (
          <tr key={a.agentId} aria-label={a.fullName || a.username}>
            <th scope="row">
              {a.fullName || a.username} <span class="muted">{a.username}</span>
            </th>
            <td>
              <span class={`presence-dot status-${a.presence}`} data-figure="presence">
                {a.presence}
                {a.reason ? ` (${a.reason})` : ''}
              </span>
            </td>
            <td>
              <Load label="SMS" load={a.load.sms} capacity={a.capacity.sms} />
            </td>
            <td>
              <Load label="WhatsApp" load={a.load.whatsapp} capacity={a.capacity.whatsapp} />
            </td>
            <td class="num">{a.handledToday}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function listAll(path: string): Promise<Named[]> {
  const body = await client().get<{ items: Named[] }>(`${path}?limit=200&sort=name&order=asc`);
  return body.items;
}

export function BoardPage() {
  const [teamId, setTeamId] = useState('');
  const [accountId, setAccountId] = useState('');
  const [board, setBoard] = useState<Board | undefined>();
  const [teams, setTeams] = useState<Named[]>([]);
  const [accountList, setAccountList] = useState<Named[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const shown = useRef<Board | undefined>(undefined);

  const take = (next: Board) => {
    if (shown.current && shown.current.at > next.at) return;
    shown.current = next;
    setBoard(next);
  };

  useEffect(() => {
    listAll('/admin/teams').then(setTeams, () => setTeams([]));
    listAll('/admin/accounts').then(setAccountList, () => setAccountList([]));
  }, []);

  // The filter the pushes are read against, and the read of the filtered board (one at a time, the last wins).
  const filter = useRef({ teamId: '', accountId: '' });
  const reading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const read = () => {
    if (reading.current.busy) {
      reading.current.again = true;
      return;
    }
    reading.current.busy = true;
    const { teamId: team, accountId: account } = filter.current;
    const query = new URLSearchParams({
      ...(team ? { teamId: team } : {}),
      ...(account ? { accountId: account } : {}),
    });
    client()
      .get<Board>(`/supervisor/board${query.size ? `?${query}` : ''}`)
      .then((b) => {
        setError(undefined);
        if (filter.current.teamId === team && filter.current.accountId === account) take(b);
      })
      .catch((e: unknown) => (e instanceof ApiError && e.status === 400 ? setError(e) : showError(e)))
      .finally(() => {
        reading.current.busy = false;
        if (reading.current.again) {
          reading.current.again = false;
          read();
        }
      });
  };

  useEffect(() => {
    filter.current = { teamId, accountId };
    shown.current = undefined;
    read();
  }, [teamId, accountId]);

  // One subscription for the page's life (sent again after each reconnect, which also brings a fresh board).
  useEffect(() => {
    const stop = listenLive({
      open: () => sendLive({ action: 'subscribe', topic: 'board' }),
      event: (event) => {
        if (event.type !== 'board.updated' || !event.board) return;
        if (filter.current.teamId || filter.current.accountId) read();
        else take(event.board as Board);
      },
    });
    return () => {
      stop();
      sendLive({ action: 'unsubscribe', topic: 'board' });
    };
  }, []);

  return (
    <section class="sv board" aria-label="Live board">
      <header class="page-head">
        <h2>Live board</h2>
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Team
            <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">All teams</option>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <FieldError error={error} path="query.teamId" />
          </label>
          <label>
            Account
            <select value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)}>
              <option value="">All accounts</option>
              {accountList.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
            <FieldError error={error} path="query.accountId" />
          </label>
        </form>
        {board && (
          <span class="muted" aria-label="Board time">
            As of {new Date(board.at).toLocaleTimeString()}
          </span>
        )}
      </header>
      {!board ? (
        <p class="loading">Loading the board…</p>
      ) : (
        <>
          <h3>Queues</h3>
          <FiguresTable
            label="Queues"
            rows={board.queues.map((q) => ({ ...q, id: q.queueId }))}
            at={board.at}
            serviceLevelSeconds={board.serviceLevelSeconds}
          />
          <h3>Accounts</h3>
          <FiguresTable
            label="Accounts"
            rows={board.accounts.map((a) => ({ ...a, id: a.accountId }))}
            at={board.at}
            serviceLevelSeconds={board.serviceLevelSeconds}
          />
          <h3>Agents</h3>
          <AgentsTable agents={board.agents} />
        </>
      )}
    </section>
  );
}
