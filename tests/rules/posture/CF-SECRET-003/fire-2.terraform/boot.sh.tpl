#!/bin/bash
cat > /etc/worker.env <<ENV
DATABASE_URL=${db_url}
ENV
systemctl start worker
