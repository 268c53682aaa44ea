'use client';
// Bare tags: importing the package defines the elements in the browser; on the server (Node,
// no DOM) the import must not throw, and React renders the tag with its attributes.
import 'care-widgets';

export function BareWall({ host }) {
  return <care-message-wall page="jane-doe" host={host} theme="light" />;
}
