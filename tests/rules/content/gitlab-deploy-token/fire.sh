#!/bin/sh
set -eu
export GITLAB_DEPLOY_TOKEN="gldt-Up3AUzx26xOIQKKZN9XdG-ptwSOx0wDEh3ICfEuHcaDUl_W8e31dwrSnEtvzjBjEf-4AgEccIurNy5dJqMBsfz0U"
./deploy.sh
