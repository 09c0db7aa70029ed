"""Everything the automation app writes: rules, their runs, webhook endpoints and deliveries. Faces
(pages, the API, tasks) call these; these change articles only through ``articles.services``."""
