// Vite bundles imported stylesheets; tell the type checker they exist.
declare module "*.css";
