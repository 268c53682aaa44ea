import { env } from '$env/dynamic/private';

// The backend's URL is the test server's, known when the page is requested, not when built.
export const load = () => ({ host: env.CARE_HOST });
