"""What happens when a curriculum change is approved (WAGTAIL_FINISH_WORKFLOW_ACTION).

Nobody holds publish permission on the curriculum, so nobody can publish round the
second-person approval. The completed workflow is what publishes: the approver is
recorded as the publisher, and the approval itself is the permission check. Imported
by wagtail.models at start-up, so this module must not import models.
"""


def publish_approved_workflow_state(workflow_state, user=None):
    """Publish the approved revision as the approver, without a publish-permission check."""
    workflow_state.content_object.get_latest_revision().publish(
        user=user, skip_permission_checks=True
    )
