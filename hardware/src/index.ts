// Placeholder entry: this workspace's modules land with their issues.
export {};
