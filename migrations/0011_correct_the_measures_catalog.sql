-- The seeded catalog, corrected: every measure says the rank of its legal basis, and only a law,
-- an administrative regulation or a local regulation makes a restriction mandatory.
--
-- What changed and why (docs/adr/0011-designation-and-due-process.md has the reasoning):
-- * No law or regulation obliges platforms in general to refuse or ban a seriously dishonest subject:
--   the e-commerce law leaves entry and exit to the platform's published rules (Arts. 32, 36), and the
--   live-streaming instruments (the 2020 NRTA notice, the 2021 live-marketing measures, the 2022 anchor
--   code of conduct) are normative documents. ONBOARDING_BAN and LIVE_STREAM_BAN are therefore
--   recommended, not mandatory, and they rest on a designation: an entry in force on the
--   serious-dishonest or the inter-platform list, never on one platform's report.
-- * One mandatory measure is seeded, because an administrative regulation does bar its subject:
--   under the Interim Regulations on Enterprise Information Disclosure (2014, Art. 17) the legal
--   representative of an enterprise on the serious-violation list may not represent another
--   enterprise for three years. It reaches the other companies the person represents.
-- * Tier-triggered restrictions never apply to natural persons: anchors leave CAMPAIGN_EXCLUSION,
--   and DEPOSIT_REDUCTION (an incentive) now reaches them.
-- * A measure code reads like a code.
-- Operators should review these bases against the instruments in force where they operate: the
-- catalog is data, and `saveMeasure` refuses a mandatory restriction on a lower-ranked basis.

ALTER TABLE measures ADD COLUMN legal_basis_level text NOT NULL DEFAULT 'PLATFORM_RULE' CHECK (legal_basis_level IN
    ('LAW', 'ADMINISTRATIVE_REGULATION', 'LOCAL_REGULATION', 'DEPARTMENTAL_RULE', 'NORMATIVE_DOCUMENT',
     'PLATFORM_RULE'));

UPDATE measures SET
    mandatory = false,
    legal_basis_level = 'PLATFORM_RULE',
    legal_basis = '《中华人民共和国电子商务法》第三十六条、第三十九条（依平台规则采取的措施及时公示；平台建立健全信用评价制度并公示规则）；'
        || '《中共中央办公厅 国务院办公厅关于健全社会信用体系的意见》（2025）：引导平台企业建立平台间失信联合约束制度',
    legal_basis_ref = '电子商务法 第三十六条',
    trigger = '{"type": "LIST", "lists": ["SERIOUS_DISHONEST", "JOINT_CONSTRAINT"], "via": []}'
WHERE code = 'ONBOARDING_BAN';

UPDATE measures SET
    mandatory = false,
    legal_basis_level = 'NORMATIVE_DOCUMENT',
    legal_basis = '《国家广播电视总局关于加强网络秀场直播和电商直播管理的通知》（2020）：不允许其更换“马甲”或更换平台后再度开播；'
        || '《网络直播营销管理办法（试行）》（2021）；《网络主播行为规范》（2022）',
    legal_basis_ref = NULL,
    trigger = '{"type": "LIST", "lists": ["SERIOUS_DISHONEST", "JOINT_CONSTRAINT"], "via": []}',
    duration_months = NULL,
    description = 'No live-streaming on any platform, under any account, while the anchor is on a blacklist: the '
        || 'ban follows the person.'
WHERE code = 'LIVE_STREAM_BAN';

UPDATE measures SET legal_basis_level = 'NORMATIVE_DOCUMENT'
WHERE code IN ('SIGNING_BAN', 'ENHANCED_REVIEW', 'GREEN_CHANNEL');

UPDATE measures SET legal_basis_level = 'PLATFORM_RULE', mandatory = false
WHERE code IN ('WITHDRAWAL_HOLD', 'TRAFFIC_LIMIT');

UPDATE measures SET legal_basis_level = 'NORMATIVE_DOCUMENT', subject_kinds = ARRAY['MERCHANT', 'MCN_AGENCY']
WHERE code = 'CAMPAIGN_EXCLUSION';

UPDATE measures SET legal_basis_level = 'NORMATIVE_DOCUMENT',
    trigger = '{"type": "LIST", "lists": ["SERIOUS_DISHONEST", "JOINT_CONSTRAINT"], "via": ["MCN_SIGNING", "LEGAL_REPRESENTATIVE"]}'
WHERE code = 'ASSOCIATED_RISK_REVIEW';

UPDATE measures SET legal_basis_level = 'NORMATIVE_DOCUMENT', subject_kinds = ARRAY['MERCHANT', 'ANCHOR']
WHERE code = 'DEPOSIT_REDUCTION';

UPDATE measures SET trigger = jsonb_build_object('type', 'LIST', 'lists', jsonb_build_array(trigger ->> 'list'),
                                                 'via', coalesce(trigger -> 'via', '[]'::jsonb))
WHERE trigger ->> 'type' = 'LIST' AND trigger ? 'list';

INSERT INTO measures (code, kind, mandatory, legal_basis, legal_basis_ref, legal_basis_level, description,
                      subject_kinds, scope, trigger, duration_months) VALUES
('REPRESENTATIVE_BAR', 'RESTRICTION', true,
 '《企业信息公示暂行条例》第十七条：被列入严重违法企业名单的企业的法定代表人、负责人，3年内不得担任其他企业的法定代表人、负责人',
 '企业信息公示暂行条例 第十七条', 'ADMINISTRATIVE_REGULATION',
 'The company''s legal representative also represents a company on the serious-dishonest list and is barred from '
 || 'representing another enterprise: do not admit or keep a shop registered under this representative.',
 ARRAY['MERCHANT', 'MCN_AGENCY'], 'ALL_PLATFORMS',
 '{"type": "LIST", "lists": ["SERIOUS_DISHONEST"], "via": ["LEGAL_REPRESENTATIVE"]}', 36);

ALTER TABLE measures ALTER COLUMN legal_basis_level DROP DEFAULT;
ALTER TABLE measures DROP CONSTRAINT measures_code_format;
ALTER TABLE measures ADD CONSTRAINT measures_code_format
    CHECK (code ~ '^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$' AND length(code) <= 64);
ALTER TABLE measures ADD CONSTRAINT measures_mandatory_basis CHECK (
    NOT mandatory OR kind = 'INCENTIVE' OR legal_basis_level IN ('LAW', 'ADMINISTRATIVE_REGULATION', 'LOCAL_REGULATION'));
