-- Built-in roles with the original's fixed ids (reference §1.1) plus Viewer (read only).
INSERT INTO "roles" ("id", "name", "description") VALUES
  ('00000000-0000-0000-0000-000000000001', 'Approver', 'Can approve or reject deployment and rollback requests, and do what a Requester does'),
  ('00000000-0000-0000-0000-000000000002', 'Requester', 'Can edit features and targeting and request deployments and rollbacks'),
  ('00000000-0000-0000-0000-000000000003', 'Team Admin', 'Can manage team members, clients and settings, and do what an Approver does'),
  ('00000000-0000-0000-0000-000000000004', 'Viewer', 'Can read everything in the team and change nothing')
ON CONFLICT ("id") DO NOTHING;
