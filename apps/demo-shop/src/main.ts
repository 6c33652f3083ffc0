// Placeholder until the demo-shop issue lands: proves the page loads and reports WebGPU availability.
const app = document.querySelector<HTMLDivElement>('#app')!;
app.textContent = `Demo shop. WebGPU: ${'gpu' in navigator ? 'available' : 'not available'}`;
