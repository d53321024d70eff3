#!/bin/bash
cat > /etc/worker.env <<ENV
DATABASE_URL_PARAMETER=${db_url_parameter}
ENV
systemctl start worker
