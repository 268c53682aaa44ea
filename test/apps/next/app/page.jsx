// A React Server Component (no 'use client'): it renders the React wrappers directly, which
// works because care-widgets/react is a client module, and a client component with bare tags.
import { CareJournalFeed, CarePage } from 'care-widgets/react';
import { BareWall } from './bare-wall.jsx';

// The backend's URL is the test server's, known when the page is requested, not when built.
export const dynamic = 'force-dynamic';

export default function Home() {
  const host = process.env.CARE_HOST;
  return (
    <main>
      <CarePage page="jane-doe" host={host}>
        <CareJournalFeed theme="dark" />
      </CarePage>
      <BareWall host={host} />
    </main>
  );
}
