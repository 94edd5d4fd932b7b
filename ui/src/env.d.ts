/** Vite handles `import "./styles.css"`; TypeScript only needs to know such imports exist. */
declare module "*.css";
