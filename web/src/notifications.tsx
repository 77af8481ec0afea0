/** The notifications' container (Mantine): its own chunk, mounted once the first paint is done (app.tsx). */
export { Notifications } from '@mantine/notifications';
