#!/usr/bin/env python3
"""Makes this crate's own copy of kafka-mirror's specs, as a user whose
specs are newer would: copy ../../openapi to ./openapi, then
  1. add a field, `documentation`, to every link config;
  2. add an operation, `GET .../links/{link_name}/tasks` (listKafkaLinkTasks),
     a paginated list the shipped specs do not have.
"""

import os
import shutil

here = os.path.dirname(os.path.abspath(__file__))
source = os.path.join(here, "..", "..", "openapi")
copy = os.path.join(here, "openapi")
shutil.rmtree(copy, ignore_errors=True)
shutil.copytree(source, copy)

spec = os.path.join(copy, "confluent", "cluster-linking-v3.yaml")
text = open(spec).read()
anchor = "    ListLinkConfigsResponseData_allOf:\n      properties:\n"
assert anchor in text, "the link config schema moved: update edit-specs.py"
text = text.replace(
    anchor,
    anchor + "        documentation:\n          type: string\n          description: What the config does.\n",
    1,
)
open(spec, "w").write(text)

open(os.path.join(copy, "confluent", "list-kafka-link-tasks.yaml"), "w").write(
    """# A newer docs page: list the tasks of a cluster link.
paths:
  /kafka/v3/clusters/{cluster_id}/links/{link_name}/tasks:
    get:
      operationId: listKafkaLinkTasks
      description: List the tasks of a cluster link.
      parameters:
      - name: cluster_id
        in: path
        required: true
        description: The Kafka cluster ID.
        schema: {type: string}
      - name: link_name
        in: path
        required: true
        description: The link name.
        schema: {type: string}
      responses:
        '200':
          description: The link's tasks.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LinkTaskDataList'
        '400':
          description: Bad request.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
        '429':
          description: Too many requests.
          content:
            text/html:
              schema: {type: string}
        5XX:
          description: Server error.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Error'
components:
  schemas:
    LinkTaskDataList:
      type: object
      required: [kind, metadata, data]
      properties:
        kind: {type: string}
        metadata:
          $ref: '#/components/schemas/ResourceCollectionMetadata'
        data:
          type: array
          items:
            $ref: '#/components/schemas/LinkTaskData'
    LinkTaskData:
      type: object
      required: [task_name, state]
      properties:
        task_name: {type: string}
        state: {type: string}
        errors:
          type: array
          items: {type: string}
"""
)
print(f"specs copied and edited in {copy}")
