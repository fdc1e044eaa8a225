-- Identity keeps OpenIddict's store in its own database (EF's EnsureCreated skips a database with other tables).
CREATE DATABASE coordination_identity OWNER coordination;
