import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // Rolldown's report of slow plugins is about SvelteKit's prerendering, not something to fix.
  build: { rolldownOptions: { checks: { bundlerTimings: false } } },
  server: {
    // The workspace root holds node_modules and ../shared.
    fs: { allow: ['..'] },
    // `npx vite dev` in web/ beside a running `npm start`: the API and exports on one origin.
    proxy: { '/api': 'http://127.0.0.1:8080', '/exports': 'http://127.0.0.1:8080' },
  },
});
