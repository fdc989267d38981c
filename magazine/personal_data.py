"""What the magazine holds about a person: which member of staff created an article, no more.

Registered in accounts.personal_data by MagazineConfig.ready(), so that the account deletion
test knows the one foreign key to the user model here is kept on purpose.
"""

from __future__ import annotations

from accounts.personal_data import PersonalData

PERSONAL_DATA = PersonalData(
    app_label="magazine",
    keeps={"magazine.Article.created_by": "the newsroom's record of who created the article"},
)
