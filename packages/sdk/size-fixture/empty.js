// The baseline: an app with no SDK. Every figure is the app's gzip size minus this one's.
document.body.textContent = 'ready';
